/// Table scans: a loop over a cursor on the table's B+Tree. The cursor and a started flag live in the
/// QueryState, so a loop left by `return` (one output row ready) resumes at the next entry on the next
/// call. Columns are decoded straight from the page buffer into typed locals, only those the plan reads.
module Foundry.Compiler.CodeGen.EmitScan

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime
open Foundry.Storage

let private readerFor (t: SqlType) =
    let name =
        match t with
        | SqlType.Integer -> "GetInt64"
        | SqlType.Real -> "GetDouble"
        | SqlType.Text -> "GetText"
        | SqlType.Boolean -> "GetBoolean"
        | SqlType.Blob -> "GetBlob"
        | _ -> invalidOp (sprintf "Foundry bug: no reader for %A" t)
    method<RecordReader> name [ typeof<byte[]>; typeof<int>; typeof<int> ]

let private isNullReader = method<RecordReader> "IsNull" [ typeof<byte[]>; typeof<int>; typeof<int> ]

/// Writes a key bound into the context's KeyWriter and returns the call that yields its bytes.
let private encodeKey (ctx: EmitContext) (v: Value) : Expression =
    let keys = Expression.Property(ctx.Context, "Keys")
    let reset = Expression.Call(keys, typeof<KeyWriter>.GetMethod("Reset"))
    let write =
        match v with
        | VInteger i -> Expression.Call(reset, typeof<KeyWriter>.GetMethod("WriteInt64"), Expression.Constant(i))
        | VReal r -> Expression.Call(reset, typeof<KeyWriter>.GetMethod("WriteDouble"), Expression.Constant(r))
        | VText s -> Expression.Call(reset, typeof<KeyWriter>.GetMethod("WriteText"), Expression.Constant(s))
        | VBoolean b -> Expression.Call(reset, typeof<KeyWriter>.GetMethod("WriteBoolean"), Expression.Constant(b))
        | VNull -> Expression.Call(reset, typeof<KeyWriter>.GetMethod("WriteNull"))
    write :> Expression

/// The encoded bytes of a bound, computed once when the statement is compiled.
let private keyBytes (v: Value) =
    let w = KeyWriter()
    match v with
    | VInteger i -> w.WriteInt64 i |> ignore
    | VReal r -> w.WriteDouble r |> ignore
    | VText s -> w.WriteText s |> ignore
    | VBoolean b -> w.WriteBoolean b |> ignore
    | VNull -> w.WriteNull() |> ignore
    w.ToArray()

let produce (ctx: EmitContext) (table: TableRef) (access: AccessPath) (residual: Expr option) (consume: Consume) : Expression =
    let cursor = ctx.NewCursor()
    let started = ctx.NewFlag()
    let cursorType = typeof<BTreeCursor>
    let typedCursor = Expression.Convert(cursor, cursorType) :> Expression
    let breakLabel = ctx.Label("scan_" + table.Alias + "_end")
    let continueLabel = ctx.Label("scan_" + table.Alias + "_next")
    let openCursor =
        Expression.Assign(
            cursor,
            Expression.Call(ctx.Context, typeof<StatementContext>.GetMethod("OpenCursor"), Expression.Constant(table.Schema.RootPageId))
        )
    let lower, upper =
        match access with
        | FullScan -> None, None
        | KeyRange(_, l, u) -> l, u
    let position =
        match lower with
        | Some l ->
            Expression.Call(method<StorageAccess> "Seek" [ cursorType; typeof<KeyWriter> ], typedCursor, encodeKey ctx l.Value) :> Expression
        | None -> Expression.Call(typedCursor, cursorType.GetMethod("First")) :> Expression
    let advance =
        Expression.IfThenElse(
            started,
            Expression.IfThen(Expression.Not(Expression.Call(typedCursor, cursorType.GetMethod("Next"))), Expression.Break(breakLabel)),
            block
                [ Expression.Assign(started, trueExpr)
                  openCursor
                  Expression.IfThen(Expression.Not(position), Expression.Break(breakLabel)) ]
        )
    let comparePrefix (bound: KeyBound) =
        Expression.Call(method<StorageAccess> "ComparePrefix" [ cursorType; typeof<byte[]> ], typedCursor, Expression.Constant(keyBytes bound.Value))
    let rangeChecks =
        [ match upper with
          | Some u ->
              let past =
                  if u.Inclusive then Expression.GreaterThan(comparePrefix u, Expression.Constant(0))
                  else Expression.GreaterThanOrEqual(comparePrefix u, Expression.Constant(0))
              Expression.IfThen(past, Expression.Break(breakLabel)) :> Expression
          | None -> ()
          match lower with
          | Some l when not l.Inclusive ->
              Expression.IfThen(Expression.Equal(comparePrefix l, Expression.Constant(0)), Expression.Continue(continueLabel))
          | _ -> () ]
    // Decode the columns the plan reads into typed locals.
    let buffer = ctx.Local(typeof<byte[]>, "page")
    let offset = ctx.Local(typeof<int>, "record")
    let locate =
        [ Expression.Assign(buffer, Expression.Property(typedCursor, "CurrentBuffer")) :> Expression
          Expression.Assign(offset, Expression.Property(typedCursor, "ValueOffset")) ]
    let reads, env =
        table.Columns
        |> List.mapi (fun ordinal c -> ordinal, c)
        |> List.filter (fun (_, c) -> ctx.NeededColumns.Contains c.Id)
        |> List.fold
            (fun (code, env: Env) (ordinal, c) ->
                let v = ctx.Local(clrType c.Type, c.Name)
                let read = Expression.Call(readerFor c.Type, buffer, offset, Expression.Constant(ordinal))
                if c.Nullable then
                    let n = ctx.Local(typeof<bool>, c.Name + "_null")
                    let assign =
                        [ Expression.Assign(n, Expression.Call(isNullReader, buffer, offset, Expression.Constant(ordinal))) :> Expression
                          Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), read)) ]
                    code @ assign, env.Add(c.Id, { Value = v; IsNull = n })
                else code @ [ Expression.Assign(v, read) ], env.Add(c.Id, { Value = v; IsNull = falseExpr }))
            ([], Map.empty)
    // UPDATE and DELETE identify each row they change by its key.
    let rowKey =
        match table.Columns with
        | first :: _ ->
            match ctx.RowKeyTargets.TryFind first.Id with
            | Some target -> [ Expression.Assign(target, Expression.Call(method<StorageAccess> "CurrentKey" [ cursorType ], typedCursor)) :> Expression ]
            | None -> []
        | [] -> []
    let body =
        match residual with
        | None -> consume env
        | Some p ->
            let code, test = EmitExpr.emitCondition ctx env p
            block (code @ [ Expression.IfThen(test, consume env) ])
    once ctx (Expression.Loop(block ([ advance :> Expression ] @ rangeChecks @ locate @ reads @ rowKey @ [ body ]), breakLabel, continueLabel))
