/// Sort, a pipeline breaker. On the first call the input pipeline runs to completion, appending each
/// row's columns to a typed ColumnBuffer; the buffer is sorted with a separately compiled comparison
/// (ascending puts NULLs first, descending last; ties keep input order); then a second loop emits the
/// rows in order, its position kept in a counter so it resumes after each output row.
module Foundry.Compiler.CodeGen.EmitSort

open System
open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private bufferType = typeof<ColumnBuffer>

/// Reads column `index` of buffer row `row` as a Slot (value read only when not NULL).
let private readColumn (ctx: EmitContext) (buffer: Expression) (row: Expression) (index: int) (c: Column) : Expression list * Slot =
    let idx = Expression.Constant(index)
    let raw =
        match c.Type with
        | SqlType.Real -> Expression.Call(buffer, bufferType.GetMethod("GetDouble"), idx, row) :> Expression
        | SqlType.Boolean -> Expression.NotEqual(Expression.Call(buffer, bufferType.GetMethod("GetInt64"), idx, row), Expression.Constant(0L))
        | SqlType.Text
        | SqlType.Blob -> Expression.Convert(Expression.Call(buffer, bufferType.GetMethod("GetReference"), idx, row), clrType c.Type)
        | _ -> Expression.Call(buffer, bufferType.GetMethod("GetInt64"), idx, row)
    let v = ctx.Local(clrType c.Type, c.Name)
    if c.Nullable then
        let n = ctx.Local(typeof<bool>, c.Name + "_null")
        [ Expression.Assign(n, Expression.Call(buffer, bufferType.GetMethod("IsNull"), idx, row)) :> Expression
          Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), raw)) ],
        { Value = v; IsNull = n }
    else [ Expression.Assign(v, raw) ], { Value = v; IsNull = falseExpr }

/// Appends one row's columns to the buffer.
let private appendRow (ctx: EmitContext) (buffer: Expression) (columns: Column list) (env: Env) =
    let row = ctx.Local(typeof<int>, "row")
    let sets =
        columns
        |> List.mapi (fun i c ->
            let slot = env[c.Id]
            let idx = Expression.Constant(i)
            let set =
                match c.Type with
                | SqlType.Real -> Expression.Call(buffer, bufferType.GetMethod("SetDouble"), idx, row, slot.Value) :> Expression
                | SqlType.Boolean ->
                    Expression.Call(buffer, bufferType.GetMethod("SetInt64"), idx, row, Expression.Condition(slot.Value, Expression.Constant(1L), Expression.Constant(0L)))
                | SqlType.Text
                | SqlType.Blob -> Expression.Call(buffer, bufferType.GetMethod("SetReference"), idx, row, Expression.Convert(slot.Value, typeof<obj>))
                | _ -> Expression.Call(buffer, bufferType.GetMethod("SetInt64"), idx, row, slot.Value)
            match slot.IsNull with
            | :? ConstantExpression as k when k.Value = box false -> set
            | isNull -> Expression.IfThenElse(isNull, Expression.Call(buffer, bufferType.GetMethod("SetNull"), idx, row), set))
    block ([ Expression.Assign(row, Expression.Call(buffer, bufferType.GetMethod("AddRow"))) :> Expression ] @ sets)

/// The comparison of two buffer rows by the sort keys, as its own compiled lambda.
let comparer (columns: Column list) (keys: SortKey list) : Expression<Func<ColumnBuffer, int, int, int>> =
    let ctx = EmitContext()
    let buffer = Expression.Parameter(bufferType, "buffer")
    let rowA = Expression.Parameter(typeof<int>, "a")
    let rowB = Expression.Parameter(typeof<int>, "b")
    let load row =
        columns
        |> List.mapi (fun i c -> readColumn ctx buffer row i c |> fun (code, slot) -> code, (c.Id, slot))
        |> List.fold (fun (code, env: Env) (c, (id, slot)) -> code @ c, env.Add(id, slot)) ([], Map.empty)
    let codeA, envA = load rowA
    let codeB, envB = load rowB
    let result = Expression.Label(typeof<int>, "compared")
    let compareKey (key: SortKey) =
        let a = EmitExpr.emit ctx envA key.Expr
        let b = EmitExpr.emit ctx envB key.Expr
        let c = ctx.Local(typeof<int>, "c")
        let valueCompare =
            let va, vb = a.Slot.Value, b.Slot.Value
            if va.Type = typeof<string> then
                Expression.Call(method<Arithmetic> "CompareText" [ typeof<string>; typeof<string> ], va, vb) :> Expression
            elif va.Type = typeof<byte[]> then
                Expression.Call(method<ColumnComparer> "CompareBlob" [ typeof<byte[]>; typeof<byte[]> ], va, vb) :> Expression
            else Expression.Call(va, va.Type.GetMethod("CompareTo", [| va.Type |]), vb) :> Expression
        // NULL is the smallest value: first ascending, last descending.
        let nullsCompare =
            Expression.Condition(
                Expression.AndAlso(a.Slot.IsNull, b.Slot.IsNull),
                Expression.Constant(0),
                Expression.Condition(a.Slot.IsNull, Expression.Constant(-1), Expression.Condition(b.Slot.IsNull, Expression.Constant(1), valueCompare))
            )
        let signed = if key.Descending then Expression.Negate(nullsCompare) :> Expression else nullsCompare :> Expression
        block (
            a.Code
            @ b.Code
            @ [ Expression.Assign(c, signed)
                Expression.IfThen(Expression.NotEqual(c, Expression.Constant(0)), Expression.Return(result, c)) ]
        )
    let body =
        Expression.Block(
            ctx.Variables,
            codeA @ codeB @ (keys |> List.map compareKey) @ [ Expression.Label(result, Expression.Constant(0)) :> Expression ]
        )
    Expression.Lambda<Func<ColumnBuffer, int, int, int>>(body, "compare", [ buffer; rowA; rowB ])

let produce (ctx: EmitContext) (produceChild: Produce) (keys: SortKey list) (input: PhysicalPlan) (consume: Consume) =
    let columns = outputColumns input
    let bufferSlot = ctx.NewBuffer()
    let buffer = Expression.Convert(bufferSlot, bufferType) :> Expression
    let sorted = ctx.NewFlag()
    let position = ctx.NewCounter()
    let compare = (comparer columns keys).Compile()
    let fill =
        Expression.IfThen(
            Expression.Not(sorted),
            block
                [ Expression.Assign(bufferSlot, Expression.New(bufferType.GetConstructor([| typeof<int> |]), Expression.Constant(columns.Length)))
                  produceChild input (appendRow ctx buffer columns)
                  Expression.Call(buffer, bufferType.GetMethod("Sort"), Expression.Constant(compare))
                  Expression.Assign(sorted, trueExpr) ]
        )
    let endLabel = ctx.Label("sorted_end")
    let row = ctx.Local(typeof<int>, "sorted")
    let reads, env =
        columns
        |> List.mapi (fun i c -> readColumn ctx buffer row i c |> fun (code, slot) -> code, (c.Id, slot))
        |> List.fold (fun (code, env: Env) (c, (id, slot)) -> code @ c, env.Add(id, slot)) ([], Map.empty)
    let emitLoop =
        Expression.Loop(
            block (
                [ Expression.IfThen(
                      Expression.GreaterThanOrEqual(position, Expression.Convert(Expression.Property(buffer, "Count"), typeof<int64>)),
                      Expression.Break(endLabel)
                  )
                  Expression.Assign(row, Expression.ArrayIndex(Expression.Property(buffer, "Order"), Expression.Convert(position, typeof<int>)))
                  increment position ]
                @ reads
                @ [ consume env ]
            ),
            endLabel
        )
    block [ fill; emitLoop ]
