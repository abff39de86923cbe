/// PushFilterBelowProject: a filter over a projection moves below it, with the projected columns it
/// reads replaced by their defining expressions.
///
///     Filter x#5 > 1 (Project x#5 := a#1 + 1 (Scan t))
///         becomes   Project x#5 := a#1 + 1 (Filter (a#1 + 1) > 1 (Scan t))
///
/// Why: rows are dropped before the projection computes their outputs, and the filter comes next to
/// the scan, where PushFilterIntoScan can turn it into a key range.
/// Safe because projection expressions here are deterministic and free of side effects; a projection
/// that raised errors per row (1/a) could raise for rows the filter would have dropped first, so the
/// rule stays silent when an output the filter reads could fail (division or modulo).
module Foundry.Compiler.Rules.PushFilterBelowProject

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let rec private mayFail (e: Expr) =
    match e.Kind with
    | Chain(_, steps) when steps |> List.exists (fun (op, _) -> op = Divide || op = Modulo) -> true
    | Subquery _
    | Cast _ -> true
    | _ -> Expr.children e |> List.exists mayFail

let rule: Rule =
    { Name = "PushFilterBelowProject"
      Apply =
        fun _ plan ->
        match plan with
        | Filter(p, Project(outputs, input)) ->
            let definitions = outputs |> List.map (fun (c, e) -> c.Id, e) |> Map.ofList
            let used = Expr.columns p |> List.choose (fun c -> definitions.TryFind c.Id)
            if used |> List.exists mayFail then None
            else
                let pushed = p |> Expr.substitute (fun c -> definitions.TryFind c.Id)
                Some(Project(outputs, Filter(pushed, input)))
        | _ -> None }
