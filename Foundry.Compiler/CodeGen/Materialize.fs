/// Moving rows in and out of typed ColumnBuffers (sort buffers, join build sides, group tables), and
/// building hash keys from values. Every column keeps a NULL flag, whatever its declared nullability,
/// because outer joins make any column NULL.
module Foundry.Compiler.CodeGen.Materialize

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Runtime

let private bufferType = typeof<ColumnBuffer>

/// The buffer column kind that holds values of a SQL type (BOOLEAN as Int64 0/1, as `setValue` stores it).
let columnKind (t: SqlType) =
    match t with
    | SqlType.Real -> ColumnKind.Double
    | SqlType.Text -> ColumnKind.Text
    | SqlType.Blob -> ColumnKind.Blob
    | _ -> ColumnKind.Int64

/// `buffer.SetX(column, row, value)` for a value of type t (BOOLEAN as 0/1).
let setValue (buffer: Expression) (column: int) (row: Expression) (t: SqlType) (value: Expression) : Expression =
    let idx = Expression.Constant(column)
    match t with
    | SqlType.Real -> Expression.Call(buffer, bufferType.GetMethod("SetDouble"), idx, row, value)
    | SqlType.Boolean ->
        Expression.Call(buffer, bufferType.GetMethod("SetInt64"), idx, row, Expression.Condition(value, Expression.Constant(1L), Expression.Constant(0L)))
    | SqlType.Text
    | SqlType.Blob -> Expression.Call(buffer, bufferType.GetMethod("SetReference"), idx, row, Expression.Convert(value, typeof<obj>))
    | _ -> Expression.Call(buffer, bufferType.GetMethod("SetInt64"), idx, row, value)

/// `buffer.GetX(column, row)` as a value of type t.
let getValue (buffer: Expression) (column: int) (row: Expression) (t: SqlType) : Expression =
    let idx = Expression.Constant(column)
    match t with
    | SqlType.Real -> Expression.Call(buffer, bufferType.GetMethod("GetDouble"), idx, row)
    | SqlType.Boolean -> Expression.NotEqual(Expression.Call(buffer, bufferType.GetMethod("GetInt64"), idx, row), Expression.Constant(0L))
    | SqlType.Text
    | SqlType.Blob -> Expression.Convert(Expression.Call(buffer, bufferType.GetMethod("GetReference"), idx, row), clrType t)
    | _ -> Expression.Call(buffer, bufferType.GetMethod("GetInt64"), idx, row)

let isNullAt (buffer: Expression) (column: int) (row: Expression) : Expression =
    Expression.Call(buffer, bufferType.GetMethod("IsNull"), Expression.Constant(column), row)

/// Stores slot values into columns [first, first + n) of a buffer row. The NULL flag is always
/// written, so a reused row (a Top-N's freed slot) never keeps a stale one.
let store (buffer: Expression) (first: int) (row: Expression) (columns: (Column * Slot) list) : Expression list =
    columns
    |> List.mapi (fun i (c, slot) ->
        let setNull = Expression.Call(buffer, bufferType.GetMethod("SetNull", [| typeof<int>; typeof<int>; typeof<bool> |]), Expression.Constant(first + i), row, slot.IsNull)
        let set = setValue buffer (first + i) row c.Type slot.Value
        Expression.Block(setNull, set) :> Expression)

/// Reads columns [first, first + n) of a buffer row into fresh locals; returns the code and the env.
let load (ctx: EmitContext) (buffer: Expression) (first: int) (row: Expression) (columns: Column list) : Expression list * Env =
    columns
    |> List.mapi (fun i c ->
        let v = ctx.Local(clrType c.Type, c.Name)
        let n = ctx.Local(typeof<bool>, c.Name + "_null")
        let code =
            [ Expression.Assign(n, isNullAt buffer (first + i) row) :> Expression
              Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), getValue buffer (first + i) row c.Type)) ]
        code, (c.Id, { Value = v :> Expression; IsNull = n :> Expression }))
    |> List.fold (fun (code, env: Env) (c, (id, slot)) -> code @ c, env.Add(id, slot)) ([], Map.empty)

/// The hash key of some values: one value boxed, several as a CompositeKey; NULL is RowKey.Null.
let rowKey (slots: Slot list) : Expression =
    let part (slot: Slot) : Expression =
        let boxed =
            if slot.Value.Type = typeof<int64> || slot.Value.Type = typeof<float> || slot.Value.Type = typeof<bool> then
                Expression.Call(method<RowKey> "Of" [ slot.Value.Type ], slot.Value) :> Expression
            else Expression.Call(method<RowKey> "Of" [ typeof<obj> ], Expression.Convert(slot.Value, typeof<obj>)) :> Expression
        unlessNull slot.IsNull (Expression.Field(null, typeof<RowKey>.GetField("Null"))) boxed
    match slots with
    | [ one ] -> part one
    | many -> Expression.Call(method<RowKey> "Composite" [ typeof<obj[]> ], Expression.NewArrayInit(typeof<obj>, many |> List.map part)) :> Expression

/// True when any of the slots is NULL (constant false when none can be).
let anyNull (slots: Slot list) : Expression =
    slots |> List.map (fun s -> s.IsNull) |> List.filter (isConstFalse >> not) |> function
        | [] -> falseExpr
        | first :: rest -> rest |> List.fold (fun acc n -> Expression.OrElse(acc, n) :> Expression) first

/// The loop that hands a filled buffer's rows to `consume`, resuming at the `position` counter after
/// each one: through the buffer's Order when `ordered` (a sort's output), else in insertion order.
let emitRows (ctx: EmitContext) (buffer: Expression) (position: Expression) (columns: Column list) (ordered: bool) (consume: Consume) =
    let endLabel = ctx.Label("buffered_end")
    let row = ctx.Local(typeof<int>, "buffered")
    let reads, env = load ctx buffer 0 row columns
    let order = Expression.Property(buffer, "Order")
    let count = if ordered then Expression.ArrayLength(order) :> Expression else Expression.Property(buffer, "Count") :> Expression
    let current = Expression.Convert(position, typeof<int>) :> Expression
    Expression.Loop(
        block (
            [ Expression.IfThen(Expression.GreaterThanOrEqual(position, Expression.Convert(count, typeof<int64>)), Expression.Break(endLabel))
              Expression.Assign(row, (if ordered then Expression.ArrayIndex(order, current) :> Expression else current))
              increment position ]
            @ reads
            @ [ consume env ]
        ),
        endLabel
    )
