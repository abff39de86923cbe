/// Shared state of one statement's code generation: the QueryState parameter, numbered state slots,
/// and the locals the generated function declares. Values are (value, is-null) pairs of side-effect
/// free expressions (locals or constants); the code that computes them comes separately.
module Foundry.Compiler.CodeGen.CodeContext

open System
open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
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

let isConstFalse (e: Expression) =
    match e with
    | :? ConstantExpression as c -> c.Value = box false
    | _ -> false

/// `value`, or `whenNull` when `isNull` holds at run time. A constant-false `isNull` (a NOT NULL
/// column, a non-NULL literal) needs no test, so none is generated.
let unlessNull (isNull: Expression) (whenNull: Expression) (value: Expression) : Expression =
    if isConstFalse isNull then value
    else Expression.Condition(isNull, whenNull, value, value.Type) :> Expression

let method<'T> (name: string) (argTypes: Type list) =
    match typeof<'T>.GetMethod(name, Array.ofList argTypes) with
    | null -> invalidOp (sprintf "Foundry bug: %s.%s(%s) not found" typeof<'T>.Name name (argTypes |> List.map (fun t -> t.Name) |> String.concat ", "))
    | m -> m

/// Slot counters at one moment, to find the slots a piece of generated code allocated.
type SlotMark = { Cursors: int; Counters: int; Flags: int; Buffers: int; Objects: int }

type EmitContext() =
    let variables = ResizeArray<ParameterExpression>()
    let mutable cursors = 0
    let mutable counters = 0
    let mutable flags = 0
    let mutable buffers = 0
    let mutable objects = 0
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

    member private this.Slot(field: string, index: int) =
        Expression.ArrayAccess(Expression.Field(this.State, field), Expression.Constant(index)) :> Expression

    member this.NewCursor() =
        cursors <- cursors + 1
        this.Slot("Cursors", cursors - 1)

    member this.NewCounter() =
        counters <- counters + 1
        this.Slot("Counters", counters - 1)

    member this.NewFlag() =
        flags <- flags + 1
        this.Slot("Flags", flags - 1)

    member this.NewBuffer() =
        buffers <- buffers + 1
        this.Slot("Buffers", buffers - 1)

    member this.NewObject() =
        objects <- objects + 1
        this.Slot("Objects", objects - 1)

    member _.Mark = { Cursors = cursors; Counters = counters; Flags = flags; Buffers = buffers; Objects = objects }

    member _.Layout = StateLayout(cursors, counters, flags, buffers, objects)

    /// Ids of the columns some expression of the plan reads; scans decode only these.
    member val NeededColumns: Set<int> = Set.empty with get, set

    /// Column values of enclosing queries, visible to a subquery's code (correlated references).
    member val OuterEnv: Env = Map.empty with get, set

    /// Tables whose scans must expose each row's key (the targets of UPDATE and DELETE): first column
    /// id of the table -> the local that receives the key.
    member val RowKeyTargets: Map<int, ParameterExpression> = Map.empty with get, set

    /// Working tables of the recursive unions being generated: id -> the state slot holding its rows.
    member val WorkingTables: Map<int, Expression> = Map.empty with get, set

    /// Generates a subquery's code (set by QueryCompiler; expressions call it for SubqueryKind nodes).
    member val EmitSubquery: EmitContext -> Env -> SubqueryKind -> Query -> Expression list * Slot =
        fun _ _ _ _ -> invalidOp "Foundry bug: no subquery emitter" with get, set

/// The running statement's stop request (`state.Interrupt`).
let interrupt (ctx: EmitContext) = Expression.Field(ctx.State, "Interrupt") :> Expression

/// `x = x + 1` for an Int64 counter slot.
let increment (slot: Expression) =
    Expression.Assign(slot, Expression.Add(slot, Expression.Constant(1L))) :> Expression

let block (items: Expression seq) : Expression =
    match List.ofSeq items with
    | [] -> Expression.Empty()
    | [ one ] -> one
    | many -> Expression.Block(many)

/// Runs `body` once per call until it completes; afterwards the code is skipped. Every operator loop
/// is wrapped in one of these so that a resumed execution never restarts a finished loop.
let once (ctx: EmitContext) (body: Expression) =
    let finished = ctx.NewFlag()
    Expression.IfThen(Expression.Not(finished), block [ body; Expression.Assign(finished, trueExpr) ]) :> Expression
