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
/// restored by the dispatch. Liveness is found on the finished tree (`liveAt`), not declared by each
/// emitter, so an emitter cannot forget a local: a local is live when it is referenced in a loop that
/// encloses the resume point or after it in an enclosing block, unless it is provably assigned before
/// it is read again. What stays live is what a resumed loop really needs: a join's probe row and
/// candidate position, a recursive union's next working table; a plain scan saves nothing. It costs a
/// few slot writes per *output* row, none per row inside the loops. Each saved local gets its own
/// slot: long, int and double (by its bits) in a counter, bool in a flag, anything else in an object
/// slot.
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

/// How often each parameter is referenced in an expression.
type private ReferenceCounter() =
    inherit ExpressionVisitor()
    member val Counts = Dictionary<ParameterExpression, int>()

    override this.VisitParameter(node) =
        this.Counts[node] <- (match this.Counts.TryGetValue node with | true, n -> n + 1 | _ -> 1)
        node :> Expression

let private countReferences (e: Expression) =
    let counter = ReferenceCounter()
    counter.Visit e |> ignore
    counter.Counts

/// True when an expression holds a goto (not a break, continue or return) or a label: control may
/// enter or leave it other than in sequence.
type private JumpFinder() =
    inherit ExpressionVisitor()
    member val Found = false with get, set

    override this.VisitGoto(node) =
        if node.Kind = GotoExpressionKind.Goto then this.Found <- true
        base.VisitGoto node

    override this.VisitLabel(node) =
        this.Found <- true
        base.VisitLabel node

let private jumps (e: Expression) =
    let finder = JumpFinder()
    finder.Visit e |> ignore
    finder.Found

/// What happens to a local first, over every path through a statement sequence.
type private Access =
    | Untouched
    /// Assigned before any read on every path that touches it.
    | WrittenFirst
    | MaybeReadFirst

let private refersTo (x: ParameterExpression) (e: Expression) = (countReferences e).ContainsKey x

let rec private firstAccess (x: ParameterExpression) (statements: Expression list) : Access =
    match statements with
    | [] -> Untouched
    | s :: rest when not (refersTo x s) -> if jumps s then MaybeReadFirst else firstAccess x rest
    | s :: rest ->
        match s with
        | :? BinaryExpression as b when b.NodeType = ExpressionType.Assign && obj.ReferenceEquals(b.Left, x) && not (refersTo x b.Right) -> WrittenFirst
        | :? BlockExpression as b when b.Variables.Count = 0 -> firstAccess x (List.ofSeq b.Expressions @ rest)
        | :? ConditionalExpression as c when c.Type = typeof<Void> && not (refersTo x c.Test) ->
            match firstAccess x [ c.IfTrue ], firstAccess x [ c.IfFalse ] with
            | MaybeReadFirst, _
            | _, MaybeReadFirst -> MaybeReadFirst
            | WrittenFirst, WrittenFirst -> WrittenFirst
            // Written on one path only: the other path must not read it later either.
            | _ -> if firstAccess x rest = MaybeReadFirst then MaybeReadFirst else WrittenFirst
        | _ -> MaybeReadFirst

/// Locals that may be read after the resume point (see the module comment): referenced in a loop
/// that encloses it or after it in an enclosing block, except those provably dead there. A local is
/// dead when some enclosing loop holds every reference to it, the code from the resume point to the
/// end of that loop's body does not mention it, and the body assigns it before reading it on every
/// path (a scan's page, record and columns; a join's current candidate row): the resumed code
/// reaches a fresh assignment before any read, or leaves the loop and never sees the local again.
let private liveAt (all: Dictionary<ParameterExpression, int>) (path: Expression list) : HashSet<ParameterExpression> =
    let rest = HashSet<ParameterExpression>()
    let dead = HashSet<ParameterExpression>()
    for parent, child in List.pairwise path |> List.rev do
        match parent with
        | :? BlockExpression as b ->
            let at = b.Expressions.IndexOf child
            for i in at + 1 .. b.Expressions.Count - 1 do
                collect rest b.Expressions[i]
        | :? LoopExpression as l ->
            let inBody = countReferences l.Body
            for KeyValue(x, n) in inBody do
                if not (rest.Contains x) && all[x] = n && firstAccess x [ l.Body ] <> MaybeReadFirst then dead.Add x |> ignore
            rest.UnionWith inBody.Keys
        | _ -> ()
    rest.ExceptWith dead
    rest

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
        let references = countReferences body
        let dispatch =
            [ for point in points do
                  let path =
                      match pathTo point.Label body with
                      | Some p -> p
                      | None -> invalidOp (sprintf "Foundry bug: resume point %d is not in statement position" point.Number)
                  let live = liveAt references path |> Seq.filter variables.Contains |> Seq.sortBy (fun p -> p.Name) |> List.ofSeq
                  let slots = live |> List.map (slotFor ctx)
                  saves[point.Marker] <- block (slots |> List.map fst)
                  Expression.IfThen(
                      Expression.Equal(position, Expression.Constant(point.Number)),
                      block ([ Expression.Assign(position, Expression.Constant(0)) :> Expression ] @ (slots |> List.map snd) @ [ Expression.Goto(point.Label) ])
                  )
                  :> Expression ]
        block dispatch, MarkerReplacer(saves).Visit(body)
