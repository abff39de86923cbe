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

/// Code that evaluates a bound once and stores its encoded key bytes in a state slot; `noRows` runs
/// when the bound is NULL (a comparison with NULL is never true).
let private encodeBound (ctx: EmitContext) (bound: KeyBound) (slot: Expression) (noRows: Expression) : Expression =
    let r = EmitExpr.emit ctx Map.empty bound.Value
    let keys = Expression.Property(ctx.Context, "Keys")
    let reset = Expression.Call(keys, typeof<KeyWriter>.GetMethod("Reset"))
    let writerMethod =
        match bound.Value.Type with
        | SqlType.Integer -> "WriteInt64"
        | SqlType.Real -> "WriteDouble"
        | SqlType.Text -> "WriteText"
        | SqlType.Boolean -> "WriteBoolean"
        | t -> invalidOp (sprintf "Foundry bug: no key encoding for %A" t)
    let write = Expression.Call(reset, typeof<KeyWriter>.GetMethod(writerMethod, [| r.Slot.Value.Type |]), r.Slot.Value)
    block (
        r.Code
        @ [ if not (isConstFalse r.Slot.IsNull) then Expression.IfThen(r.Slot.IsNull, noRows) :> Expression
            Expression.Assign(slot, Expression.Call(method<StorageAccess> "KeyBytes" [ typeof<KeyWriter> ], write)) ]
    )

let produce (ctx: EmitContext) (table: TableRef) (access: AccessPath) (residual: Expr option) (consume: Consume) : Expression =
    let cursor = ctx.NewCursor()
    let started = ctx.NewFlag()
    let cursorType = typeof<BTreeCursor>
    let typedCursor = Expression.Convert(cursor, cursorType) :> Expression
    let breakLabel = ctx.Label("scan_" + table.Alias + "_end")
    let continueLabel = ctx.Label("scan_" + table.Alias + "_next")
    let treeRoot, lower, upper, index =
        match access with
        | FullScan -> table.Schema.RootPageId, None, None, None
        | KeyRange(_, l, u) -> table.Schema.RootPageId, l, u, None
        | IndexRange(index, _, l, u, covering) -> index.RootPageId, l, u, Some(index, covering)
    let openCursor =
        Expression.Assign(cursor, Expression.Call(ctx.Context, typeof<StatementContext>.GetMethod("OpenCursor"), Expression.Constant(treeRoot)))
    // Bounds are evaluated once, when the scan starts; their encodings live in object slots.
    let lowerSlot = lower |> Option.map (fun _ -> ctx.NewObject())
    let upperSlot = upper |> Option.map (fun _ -> ctx.NewObject())
    let bytes (slot: Expression) = Expression.Convert(slot, typeof<byte[]>) :> Expression
    let evaluateBounds =
        [ for bound, slot in [ lower, lowerSlot; upper, upperSlot ] do
              match bound, slot with
              | Some b, Some s -> encodeBound ctx b s (Expression.Break(breakLabel))
              | _ -> () ]
    let position =
        match lowerSlot with
        | Some s -> Expression.Call(method<StorageAccess> "SeekBytes" [ cursorType; typeof<byte[]> ], typedCursor, bytes s) :> Expression
        | None -> Expression.Call(typedCursor, cursorType.GetMethod("First")) :> Expression
    let advance =
        Expression.IfThenElse(
            started,
            Expression.IfThen(Expression.Not(Expression.Call(typedCursor, cursorType.GetMethod("Next"))), Expression.Break(breakLabel)),
            block (
                [ Expression.Assign(started, trueExpr) :> Expression ]
                @ evaluateBounds
                @ [ openCursor; Expression.IfThen(Expression.Not(position), Expression.Break(breakLabel)) ]
            )
        )
    let comparePrefix (slot: Expression) =
        Expression.Call(method<StorageAccess> "ComparePrefix" [ cursorType; typeof<byte[]> ], typedCursor, bytes slot)
    let rangeChecks =
        [ match upper, upperSlot with
          | Some u, Some s ->
              let past =
                  if u.Inclusive then Expression.GreaterThan(comparePrefix s, Expression.Constant(0))
                  else Expression.GreaterThanOrEqual(comparePrefix s, Expression.Constant(0))
              Expression.IfThen(past, Expression.Break(breakLabel)) :> Expression
          | _ -> ()
          match lower, lowerSlot with
          | Some l, Some s when not l.Inclusive ->
              Expression.IfThen(Expression.Equal(comparePrefix s, Expression.Constant(0)), Expression.Continue(continueLabel))
          | _ -> () ]
    let neededColumns =
        table.Columns |> List.mapi (fun ordinal c -> ordinal, c) |> List.filter (fun (_, c) -> ctx.NeededColumns.Contains c.Id)
    // The row's record: in the scanned tree, or fetched from the table by the index entry's key.
    let buffer = ctx.Local(typeof<byte[]>, "page")
    let offset = ctx.Local(typeof<int>, "record")
    // Columns the residual predicate reads are decoded first; the others only for rows that pass it.
    let residualIds = residual |> Option.map (ExprDeep.columns >> List.map (fun c -> c.Id) >> Set.ofList) |> Option.defaultValue Set.empty
    let firstColumns, laterColumns = neededColumns |> List.partition (fun (_, c) -> residualIds.Contains c.Id)
    let decode (columns: (int * Column) list) =
        columns
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
    let fromRecord (recordCursor: Expression) =
        [ Expression.Assign(buffer, Expression.Property(recordCursor, "CurrentBuffer")) :> Expression
          Expression.Assign(offset, Expression.Property(recordCursor, "ValueOffset")) ],
        decode firstColumns
    let locate, (reads, env) =
        match index with
        | None -> fromRecord typedCursor |> fun (l, r) -> l, r
        | Some(_, false) ->
            // Fetch the row from the table by the primary key the index entry holds.
            let tableCursor = ctx.NewCursor()
            let typedTable = Expression.Convert(tableCursor, cursorType) :> Expression
            let l, r = fromRecord typedTable
            [ Expression.IfThen(
                  Expression.Equal(tableCursor, Expression.Constant(null)),
                  Expression.Assign(tableCursor, Expression.Call(ctx.Context, typeof<StatementContext>.GetMethod("OpenCursor"), Expression.Constant(table.Schema.RootPageId)))
              ) :> Expression
              Expression.IfThen(
                  Expression.Not(Expression.Call(method<StorageAccess> "SeekRow" [ cursorType; cursorType ], typedTable, typedCursor)),
                  Expression.Continue(continueLabel)
              ) ]
            @ l,
            r
        | Some(ix, true) ->
            // Covering: every needed column is an index column or a primary-key column, decoded from the entry's key.
            let parts = ctx.Local(typeof<obj[]>, "index_key")
            let keyParts = ctx.Local(typeof<obj[]>, "primary_key")
            let part (source: Expression) (i: int) = Expression.ArrayIndex(source, Expression.Constant(i)) :> Expression
            let columnSource ordinal =
                match Seq.tryFindIndex ((=) ordinal) ix.Columns with
                | Some i -> part parts i
                | None -> part keyParts (Seq.findIndex ((=) ordinal) table.Schema.PrimaryKey)
            // The planner chose this path against the columns its own plan decodes, all held by the entry.
            // The statement-wide NeededColumns can name more of the table: an enclosing query keeps the
            // unfolded bound form of a subquery (ExprDeep.columns reads it), which may mention columns
            // the planned, folded form does not read. No code of this plan reads those; decode only what
            // the entry holds.
            let held (ordinal: int) = Seq.contains ordinal ix.Columns || Seq.contains ordinal table.Schema.PrimaryKey
            let code, env =
                neededColumns
                |> List.filter (fun (ordinal, _) -> held ordinal)
                |> List.fold
                    (fun (code, env: Env) (ordinal, c) ->
                        let v = ctx.Local(clrType c.Type, c.Name)
                        let n = ctx.Local(typeof<bool>, c.Name + "_null")
                        let raw = columnSource ordinal
                        code
                        @ [ Expression.Assign(n, Expression.Equal(raw, Expression.Constant(null))) :> Expression
                            Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), Expression.Convert(raw, v.Type))) ],
                        env.Add(c.Id, { Value = v; IsNull = n }))
                    ([], Map.empty)
            // Nothing to decode when the query needs no column of the row (COUNT(*) WHERE k = ?).
            let decode =
                (if neededColumns.IsEmpty then []
                 else [ Expression.Assign(parts, Expression.Call(method<StorageAccess> "DecodeKey" [ cursorType ], typedCursor)) :> Expression ])
                @ (if neededColumns |> List.exists (fun (o, _) -> not (Seq.contains o ix.Columns)) then
                       [ Expression.Assign(keyParts, Expression.Call(method<StorageAccess> "DecodePrimaryKey" [ typeof<obj[]> ], parts)) ]
                   else [])
            decode, (code, env)
    // UPDATE and DELETE identify each row they change by its key.
    let rowKey =
        match table.Columns with
        | first :: _ ->
            match ctx.RowKeyTargets.TryFind first.Id with
            | Some target ->
                // Through an index, the row's key is the entry's value.
                let keyOf = if index.IsSome then "CurrentValue" else "CurrentKey"
                [ Expression.Assign(target, Expression.Call(method<StorageAccess> keyOf [ cursorType ], typedCursor)) :> Expression ]
            | None -> []
        | [] -> []
    // The covering path decodes every needed column up front; the record paths decode the rest here.
    let laterCode, fullEnv =
        match index with
        | Some(_, true) -> [], env
        | _ ->
            let code, laterEnv = decode laterColumns
            code, Map.fold (fun (acc: Env) k v -> acc.Add(k, v)) env laterEnv
    let body =
        match residual with
        | None -> block (laterCode @ [ consume fullEnv ])
        | Some p ->
            let code, test = EmitExpr.emitCondition ctx env p
            block (code @ [ Expression.IfThen(test, block (laterCode @ [ consume fullEnv ])) ])
    once ctx (Expression.Loop(block ([ advance :> Expression ] @ rangeChecks @ locate @ reads @ rowKey @ [ body ]), breakLabel, continueLabel))
