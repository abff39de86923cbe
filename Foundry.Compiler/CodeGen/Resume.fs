/// Resume points: how the statement's function returns an output row from inside any loop and
/// carries on there on its next call, like a C# iterator's state machine.
///
/// The statement's final `consume` (the output row) becomes, at its k-th place in the code:
///
///     <save the live locals into state slots>; write Output; state.ResumePoint = k; return true;
///     resume_k:
///
/// and the function starts with one dispatch per resume point:
///
///     if (state.ResumePoint == k) { state.ResumePoint = 0; <restore the live locals>; goto resume_k; }
///
/// so a call after a row jumps back to the instruction after that row's `return`, inside every loop
/// that was running: a join's match loop continues with the next candidate of the same probe row,
/// a recursive union with the next row of the same iteration. Expression trees allow a goto into a
/// block, loop or if-body (not into an expression), and the output is always emitted as a statement.
///
/// IL locals do not survive a return, so the locals live after `resume_k` are saved before it and
/// restored by the dispatch. Live means, conservatively: referenced anywhere in a loop that encloses
/// the resume point, or after it in an enclosing block. That is a superset of what is read before it
/// is written (scan pages and records are saved though they are reloaded), traded for never having to
/// reason about liveness in each emitter; it costs a few slot writes per *output* row, none per row
/// inside the loops. Each saved local gets its own slot: long, int and double (by its bits) in a
/// counter, bool in a flag, anything else in an object slot.
module Foundry.Compiler.CodeGen.Resume

open System
open System.Collections.Generic
open System.Linq.Expressions
open Foundry.Compiler.CodeGen.CodeContext

/// One place where the output row is returned.
type private Point =
    { Number: int
      /// Stands where the save code goes; replaced once liveness is known.
      Marker: Expression
      Label: LabelTarget }

/// The ParameterExpressions an expression refers to.
type private ParameterCollector(into: HashSet<ParameterExpression>) =
    inherit ExpressionVisitor()

    override _.VisitParameter(node) =
        into.Add node |> ignore
        node :> Expression

let private collect (into: HashSet<ParameterExpression>) (e: Expression) = ParameterCollector(into).Visit(e) |> ignore

/// The chain of statement nodes from `root` down to the label of a resume point (root first).
let rec private pathTo (label: LabelTarget) (node: Expression) : Expression list option =
    let inChildren (children: Expression seq) =
        children |> Seq.tryPick (fun c -> if isNull c then None else pathTo label c) |> Option.map (fun p -> node :: p)
    match node with
    | :? LabelExpression as l when l.Target = label -> Some [ node ]
    | :? BlockExpression as b -> inChildren b.Expressions
    | :? LoopExpression as l -> inChildren [ l.Body ]
    | :? ConditionalExpression as c when c.Type = typeof<Void> -> inChildren [ c.IfTrue; c.IfFalse ]
    | :? SwitchExpression as s when s.Type = typeof<Void> -> inChildren (Seq.append (s.Cases |> Seq.map (fun c -> c.Body)) [ s.DefaultBody ])
    | _ -> None

/// Locals that may be read after the resume point: see the module comment.
let private liveAt (path: Expression list) : HashSet<ParameterExpression> =
    let live = HashSet<ParameterExpression>()
    path
    |> List.pairwise
    |> List.iter (fun (parent, child) ->
        match parent with
        | :? LoopExpression as l -> collect live l.Body
        | :? BlockExpression as b ->
            let at = b.Expressions.IndexOf child
            for i in at + 1 .. b.Expressions.Count - 1 do
                collect live b.Expressions[i]
        | _ -> ())
    live

/// Assigns a slot to a local and returns (save, restore).
let private slotFor (ctx: EmitContext) (local: ParameterExpression) : Expression * Expression =
    let t = local.Type
    if t = typeof<int64> then
        let slot = ctx.NewCounter()
        Expression.Assign(slot, local), Expression.Assign(local, slot)
    elif t = typeof<int> then
        let slot = ctx.NewCounter()
        Expression.Assign(slot, Expression.Convert(local, typeof<int64>)), Expression.Assign(local, Expression.Convert(slot, typeof<int>))
    elif t = typeof<float> then
        let slot = ctx.NewCounter()
        Expression.Assign(slot, Expression.Call(method<BitConverter> "DoubleToInt64Bits" [ typeof<float> ], local)),
        Expression.Assign(local, Expression.Call(method<BitConverter> "Int64BitsToDouble" [ typeof<int64> ], slot))
    elif t = typeof<bool> then
        let slot = ctx.NewFlag()
        Expression.Assign(slot, local), Expression.Assign(local, slot)
    else
        let slot = ctx.NewObject()
        Expression.Assign(slot, Expression.Convert(local, typeof<obj>)), Expression.Assign(local, Expression.Convert(slot, t))

/// Replaces each marker by its save code.
type private MarkerReplacer(saves: Dictionary<Expression, Expression>) =
    inherit ExpressionVisitor()

    override this.Visit(node) =
        match node with
        | null -> null
        | n when saves.ContainsKey n -> saves[n]
        | n -> base.Visit n

/// The resume points of one statement's function.
type ResumePoints(ctx: EmitContext, returnLabel: LabelTarget) =
    let position = Expression.Field(ctx.State, "ResumePoint")
    let points = ResizeArray<Point>()

    /// Code that hands one output row out (`write` fills state.Output) and resumes after it.
    member _.Suspend(write: Expression list) : Expression =
        let number = points.Count + 1
        let point = { Number = number; Marker = Expression.Block(typeof<Void>, Expression.Empty()); Label = Expression.Label(sprintf "resume_%d" number) }
        points.Add point
        Expression.Block(
            typeof<Void>,
            [ point.Marker ]
            @ write
            @ [ Expression.Assign(position, Expression.Constant(number)) :> Expression
                Expression.Return(returnLabel, trueExpr)
                Expression.Label(point.Label) ]
        )
        :> Expression

    /// The dispatch to put first in the function, and `body` with the save code in place. Allocates
    /// the save slots, so it runs after all other code generation.
    member _.Finish(body: Expression) : Expression * Expression =
        let saves = Dictionary<Expression, Expression>(HashIdentity.Reference)
        let variables = HashSet<ParameterExpression>(ctx.Variables)
        let dispatch =
            [ for point in points do
                  let path =
                      match pathTo point.Label body with
                      | Some p -> p
                      | None -> invalidOp (sprintf "Foundry bug: resume point %d is not in statement position" point.Number)
                  let live = liveAt path |> Seq.filter variables.Contains |> Seq.sortBy (fun p -> p.Name) |> List.ofSeq
                  let slots = live |> List.map (slotFor ctx)
                  saves[point.Marker] <- block (slots |> List.map fst)
                  Expression.IfThen(
                      Expression.Equal(position, Expression.Constant(point.Number)),
                      block ([ Expression.Assign(position, Expression.Constant(0)) :> Expression ] @ (slots |> List.map snd) @ [ Expression.Goto(point.Label) ])
                  )
                  :> Expression ]
        block dispatch, MarkerReplacer(saves).Visit(body)
