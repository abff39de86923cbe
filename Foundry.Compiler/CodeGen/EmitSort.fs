/// Sort, a pipeline breaker. On the first call the input pipeline runs to completion, appending each
/// row's columns to a SortBuffer, which sorts them with a separately compiled comparison (ties keep
/// input order) in memory, or beyond the statement's memory budget as an external merge sort over
/// spilled runs; then a second loop emits the rows in order, asking the SortBuffer for each next row,
/// so it resumes after each output row. Each key says where NULLs go. Top-N keeps its bounded buffer.
module Foundry.Compiler.CodeGen.EmitSort

open System
open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private bufferType = typeof<ColumnBuffer>

/// How value `a` orders against `b` by one sort key: negative, zero or positive, NULLs first or last
/// as the key says regardless of direction.
let private compareSlots (key: SortKey) (a: Slot) (b: Slot) : Expression =
    let va, vb = a.Value, b.Value
    let valueCompare =
        if va.Type = typeof<string> then
            Expression.Call(method<Arithmetic> "CompareText" [ typeof<string>; typeof<string> ], va, vb) :> Expression
        elif va.Type = typeof<byte[]> then
            Expression.Call(method<ColumnComparer> "CompareBlob" [ typeof<byte[]>; typeof<byte[]> ], va, vb) :> Expression
        else Expression.Call(va, va.Type.GetMethod("CompareTo", [| va.Type |]), vb) :> Expression
    let directed = if key.Descending then Expression.Negate(valueCompare) :> Expression else valueCompare
    let nullFirst = if key.NullsFirst then -1 else 1
    match isConstFalse a.IsNull, isConstFalse b.IsNull with
    | true, true -> directed
    | true, false -> Expression.Condition(b.IsNull, Expression.Constant(-nullFirst), directed)
    | false, true -> Expression.Condition(a.IsNull, Expression.Constant(nullFirst), directed)
    | false, false ->
        Expression.Condition(
            Expression.AndAlso(a.IsNull, b.IsNull),
            Expression.Constant(0),
            Expression.Condition(a.IsNull, Expression.Constant(nullFirst), Expression.Condition(b.IsNull, Expression.Constant(-nullFirst), directed))
        )

/// The comparison of two buffer rows by the sort keys, as its own compiled lambda.
let comparer (columns: Column list) (keys: SortKey list) : Expression<Func<ColumnBuffer, int, int, int>> =
    let ctx = EmitContext()
    let buffer = Expression.Parameter(bufferType, "buffer")
    let rowA = Expression.Parameter(typeof<int>, "a")
    let rowB = Expression.Parameter(typeof<int>, "b")
    let codeA, envA = Materialize.load ctx buffer 0 rowA columns
    let codeB, envB = Materialize.load ctx buffer 0 rowB columns
    let result = Expression.Label(typeof<int>, "compared")
    let compareKey (key: SortKey) =
        let a = EmitExpr.emit ctx envA key.Expr
        let b = EmitExpr.emit ctx envB key.Expr
        let c = ctx.Local(typeof<int>, "c")
        let compared = compareSlots key a.Slot b.Slot
        block (
            a.Code
            @ b.Code
            @ [ Expression.Assign(c, compared)
                Expression.IfThen(Expression.NotEqual(c, Expression.Constant(0)), Expression.Return(result, c)) ]
        )
    let body =
        Expression.Block(ctx.Variables, codeA @ codeB @ (keys |> List.map compareKey) @ [ Expression.Label(result, Expression.Constant(0)) :> Expression ])
    Expression.Lambda<Func<ColumnBuffer, int, int, int>>(body, "compare", [ buffer; rowA; rowB ])

/// `row = newRow; buffer.Set...(c, row, value)` for each column: appends the input row's values.
let private appendRow (ctx: EmitContext) (newRow: Expression) (buffer: Expression) (columns: Column list) (env: Env) =
    let row = ctx.Local(typeof<int>, "row")
    block (Expression.Assign(row, newRow) :> Expression :: Materialize.store buffer 0 row (columns |> List.map (fun c -> c, env[c.Id])))

/// A materialisation without sort keys: rows kept in a ColumnBuffer in input order.
let private produceInOrder (ctx: EmitContext) (produceChild: Produce) (input: PhysicalPlan) (consume: Consume) =
    let columns = outputColumns input
    let bufferSlot = ctx.NewBuffer()
    let buffer = Expression.Convert(bufferSlot, bufferType) :> Expression
    let position = ctx.NewCounter()
    let fill =
        once ctx (
            block
                [ Expression.Assign(bufferSlot, Expression.New(bufferType.GetConstructor([| typeof<int> |]), Expression.Constant(columns.Length)))
                  produceChild input (appendRow ctx (Expression.Call(buffer, bufferType.GetMethod("AddRow"))) buffer columns)
                  Expression.Call(buffer, bufferType.GetMethod("KeepOrder")) ]
        )
    block [ fill; Materialize.emitRows ctx buffer position columns true consume ]

/// ORDER BY: rows go into a SortBuffer, which sorts them in memory or, beyond the statement's memory
/// budget, as an external merge sort over spilled runs; the output loop asks it for the next row and
/// reads it from the buffer it names (the resume position lives in the SortBuffer).
let private produceSorted (ctx: EmitContext) (produceChild: Produce) (keys: SortKey list) (input: PhysicalPlan) (consume: Consume) =
    let columns = outputColumns input
    let sortType = typeof<SortBuffer>
    let sortSlot = ctx.NewObject()
    let sort = Expression.Convert(sortSlot, sortType) :> Expression
    let rows = Expression.Property(sort, "Rows") :> Expression
    let kinds = columns |> List.map (fun c -> Materialize.columnKind c.Type) |> Array.ofList
    let compare = (comparer columns keys).Compile()
    let memory = Expression.Property(ctx.Context, "Memory") :> Expression
    let fill =
        once ctx (
            block
                [ Expression.Assign(
                      sortSlot,
                      Expression.New(
                          sortType.GetConstructor([| typeof<ColumnKind[]>; typeof<Func<ColumnBuffer, int, int, int>>; typeof<OperatorMemory> |]),
                          Expression.Constant(kinds),
                          Expression.Constant(compare),
                          memory
                      )
                  )
                  produceChild input (appendRow ctx (Expression.Call(sort, sortType.GetMethod("AddRow"))) rows columns)
                  Expression.Call(sort, sortType.GetMethod("Finish")) ]
        )
    let endLabel = ctx.Label("sorted_end")
    let current = ctx.Local(bufferType, "sorted")
    let row = ctx.Local(typeof<int>, "sorted_row")
    let reads, env = Materialize.load ctx current 0 row columns
    let emit =
        Expression.Loop(
            block (
                [ Expression.IfThen(Expression.Not(Expression.Call(sort, sortType.GetMethod("MoveNext"))), Expression.Break(endLabel))
                  Expression.Assign(current, Expression.Property(sort, "Current"))
                  Expression.Assign(row, Expression.Property(sort, "CurrentRow")) ]
                @ reads
                @ [ consume env ]
            ),
            endLabel
        )
    block [ fill; emit ]

/// Sort (or, with no keys, the plain materialisation that `Materialize` plans).
let produce (ctx: EmitContext) (produceChild: Produce) (keys: SortKey list) (input: PhysicalPlan) (consume: Consume) =
    if keys.IsEmpty then produceInOrder ctx produceChild input consume
    else produceSorted ctx produceChild keys input consume

/// Once the TopNBuffer is full, a candidate whose first sort key orders strictly after the worst kept
/// row's cannot enter, whatever its other keys: this test rejects it before its columns are copied
/// into the buffer and offered (most rows of a large input, as the kept rows improve). Only for a
/// first key that is a plain column, read from the candidate's row and from the buffer.
let private rejectEarly (top: Expression) (buffer: Expression) (columns: Column list) (keys: SortKey list) (env: Env) : Expression option =
    match keys with
    | { Expr = { Kind = ColumnRef keyColumn } } as first :: _ ->
        match columns |> List.tryFindIndex (fun c -> c.Id = keyColumn.Id) with
        | Some position ->
            let worst = Expression.Field(top, "Worst") :> Expression
            let worstSlot =
                { Value = Materialize.getValue buffer position worst keyColumn.Type
                  IsNull = Materialize.isNullAt buffer position worst }
            let laterThanWorst = Expression.GreaterThan(compareSlots first env[keyColumn.Id] worstSlot, Expression.Constant(0))
            Some(Expression.AndAlso(Expression.GreaterThanOrEqual(worst, Expression.Constant(0)), laterThanWorst))
        | None -> None
    | _ -> None

/// ORDER BY ... LIMIT k: like `produce`, but rows pass through a TopNBuffer that keeps the best k.
let produceTop (ctx: EmitContext) (produceChild: Produce) (count: int64) (keys: SortKey list) (input: PhysicalPlan) (consume: Consume) =
    let columns = outputColumns input
    let topType = typeof<TopNBuffer>
    let topSlot = ctx.NewObject()
    let top = Expression.Convert(topSlot, topType) :> Expression
    let buffer = Expression.Property(top, "Rows") :> Expression
    let position = ctx.NewCounter()
    let compare = (comparer columns keys).Compile()
    let fill =
        once ctx (
            block
                [ Expression.Assign(
                      topSlot,
                      Expression.New(
                          topType.GetConstructor([| typeof<int>; typeof<int64>; typeof<Func<ColumnBuffer, int, int, int>> |]),
                          Expression.Constant(columns.Length),
                          Expression.Constant(count),
                          Expression.Constant(compare)
                      )
                  )
                  produceChild input (fun env ->
                      let row = ctx.Local(typeof<int>, "row")
                      let keep =
                          block (
                              (Expression.Assign(row, Expression.Call(top, topType.GetMethod("NextSlot"))) :> Expression
                               :: Materialize.store buffer 0 row (columns |> List.map (fun c -> c, env[c.Id])))
                              @ [ Expression.Call(top, topType.GetMethod("Offer"), row) ]
                          )
                      match rejectEarly top buffer columns keys env with
                      | Some rejected -> Expression.IfThen(Expression.Not(rejected), keep) :> Expression
                      | None -> keep)
                  Expression.Call(top, topType.GetMethod("Finish")) ]
        )
    block [ fill; Materialize.emitRows ctx buffer position columns true consume ]
