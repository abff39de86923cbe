/// The rule driver. It owns traversal (top-down: a rule sees a node before its rewritten children,
/// then the children are visited), runs each batch by its strategy, records which rules fired, and
/// checks after every firing that the plan's output columns did not change (a rule that changes them
/// is a Foundry bug, reported with the rule's name).
module Foundry.Compiler.Rules.Optimizer

open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Logical
open Foundry.Compiler.Rules.Rule

/// One rule firing: which rule, in which batch, and the whole plan after it.
type TraceStep =
    { Batch: string
      Rule: string
      After: LogicalPlan }

type Result =
    { Plan: LogicalPlan
      Trace: TraceStep list }

let private checkSchema (rule: Rule) (before: LogicalPlan) (after: LogicalPlan) =
    let ids p = outputColumns p |> List.map (fun c -> c.Id, c.Type)
    if ids before <> ids after then
        invalidOp (
            sprintf
                "Foundry bug: rule %s changed the output columns of\n%s\ninto\n%s"
                rule.Name
                (LogicalPrinter.print before)
                (LogicalPrinter.print after)
        )

/// One pass of one rule over the whole plan, top-down. Returns the new plan and whether it fired.
let private applyOnce (context: RuleContext) (rule: Rule) (plan: LogicalPlan) =
    let mutable fired = false
    let rec visit node =
        let node =
            match rule.Apply context node with
            | Some replaced ->
                checkSchema rule node replaced
                fired <- true
                replaced
            | None -> node
        match children node with
        | [] -> node
        | inputs -> withChildren node (inputs |> List.map visit)
    let result = visit plan
    result, fired

/// Runs the batches over the plan, skipping rules whose names are in `disabled`.
let optimizeWith (batches: Batch list) (context: RuleContext) (disabled: Set<string>) (plan: LogicalPlan) : Result =
    let trace = ResizeArray<TraceStep>()
    let runRules (batch: Batch) plan =
        let mutable changed = false
        let mutable current = plan
        for rule in batch.Rules do
            if not (disabled.Contains rule.Name) then
                let next, fired = applyOnce context rule current
                if fired then
                    changed <- true
                    current <- next
                    trace.Add { Batch = batch.Name; Rule = rule.Name; After = next }
        current, changed
    let runBatch plan (batch: Batch) =
        match batch.Strategy with
        | Once -> fst (runRules batch plan)
        | FixedPoint limit ->
            let rec loop plan iteration =
                let next, changed = runRules batch plan
                if not changed then next
                elif iteration >= limit then
                    invalidOp (sprintf "Foundry bug: batch %s did not reach a fixed point in %d iterations" batch.Name limit)
                else loop next (iteration + 1)
            loop plan 1
    let final = batches |> List.fold runBatch plan
    { Plan = final; Trace = List.ofSeq trace }

let optimize (context: RuleContext) (disabled: Set<string>) (plan: LogicalPlan) = optimizeWith Pipeline.batches context disabled plan
