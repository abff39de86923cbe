/// Shared state of one statement's code generation: the QueryState parameter, numbered state slots,
/// and the locals the generated function declares. Values are (value, is-null) pairs of side-effect
/// free expressions (locals or constants); the code that computes them comes separately.
module Foundry.Compiler.CodeGen.CodeContext

open System
open System.Linq.Expressions
open Foundry.Runtime

/// A value during one row: `Value` of the CLR type of its SQL type, `IsNull` a bool; `Value` is
/// meaningless when `IsNull` is true.
type Slot = { Value: Expression; IsNull: Expression }

/// Column id -> its value in the current row.
type Env = Map<int, Slot>

/// The CLR type that holds a value of a SQL type in generated code.
let clrType (t: SqlType) : Type =
    match t with
    | SqlType.Integer
    | SqlType.Null -> typeof<int64>
    | SqlType.Real -> typeof<float>
    | SqlType.Text -> typeof<string>
    | SqlType.Boolean -> typeof<bool>
    | SqlType.Blob -> typeof<byte[]>
    | _ -> invalidOp (sprintf "Foundry bug: no CLR type for %A" t)

let falseExpr = Expression.Constant(false) :> Expression
let trueExpr = Expression.Constant(true) :> Expression

let method<'T> (name: string) (argTypes: Type list) =
    match typeof<'T>.GetMethod(name, Array.ofList argTypes) with
    | null -> invalidOp (sprintf "Foundry bug: %s.%s not found" typeof<'T>.Name name)
    | m -> m

type EmitContext() =
    let variables = ResizeArray<ParameterExpression>()
    let mutable cursors = 0
    let mutable counters = 0
    let mutable flags = 0
    let mutable buffers = 0
    let mutable names = 0

    /// The generated function's only parameter.
    member val State = Expression.Parameter(typeof<QueryState>, "state")

    member this.Context = Expression.Field(this.State, "Context") :> Expression

    member _.Variables = variables

    /// A fresh local; `hint` names it in code dumps.
    member _.Local(t: Type, hint: string) =
        names <- names + 1
        let v = Expression.Variable(t, sprintf "%s%d" hint names)
        variables.Add v
        v

    member _.Label(hint: string) =
        names <- names + 1
        Expression.Label(sprintf "%s%d" hint names)

    member this.NewCursor() =
        cursors <- cursors + 1
        Expression.ArrayAccess(Expression.Field(this.State, "Cursors"), Expression.Constant(cursors - 1)) :> Expression

    member this.NewCounter() =
        counters <- counters + 1
        Expression.ArrayAccess(Expression.Field(this.State, "Counters"), Expression.Constant(counters - 1)) :> Expression

    member this.NewFlag() =
        flags <- flags + 1
        Expression.ArrayAccess(Expression.Field(this.State, "Flags"), Expression.Constant(flags - 1)) :> Expression

    member this.NewBuffer() =
        buffers <- buffers + 1
        Expression.ArrayAccess(Expression.Field(this.State, "Buffers"), Expression.Constant(buffers - 1)) :> Expression

    member _.Layout = StateLayout(cursors, counters, flags, buffers)

    /// Ids of the columns some expression of the plan reads; scans decode only these.
    member val NeededColumns: Set<int> = Set.empty with get, set

/// `x = x + 1` for an Int64 counter slot.
let increment (slot: Expression) =
    Expression.Assign(slot, Expression.Add(slot, Expression.Constant(1L))) :> Expression

let block (items: Expression seq) : Expression =
    match List.ofSeq items with
    | [] -> Expression.Empty()
    | [ one ] -> one
    | many -> Expression.Block(many)

