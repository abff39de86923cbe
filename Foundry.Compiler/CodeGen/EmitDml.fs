/// INSERT, UPDATE and DELETE. Each row's values are checked (NOT NULL) and encoded as a record and a
/// key (the primary-key columns, or a new hidden rowid). INSERT writes each row as its input produces
/// it, except that an INSERT reading from its own table first collects its rows. UPDATE and DELETE
/// collect their changes in a WriteBatch while reading and apply it afterwards, so a statement never
/// reads its own writes. The engine undoes the whole statement if any row fails.
module Foundry.Compiler.CodeGen.EmitDml

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime
open Foundry.Storage

let private writerCall (target: Expression) (writerType: System.Type) (slot: Slot) (t: SqlType) : Expression =
    let write name (arg: Expression) = Expression.Call(target, writerType.GetMethod(name, [| arg.Type |]), arg) :> Expression
    let value =
        match t with
        | SqlType.Integer -> write "WriteInt64" slot.Value
        | SqlType.Real -> write "WriteDouble" slot.Value
        | SqlType.Text -> write "WriteText" slot.Value
        | SqlType.Boolean -> write "WriteBoolean" slot.Value
        | SqlType.Blob when writerType = typeof<RecordWriter> ->
            Expression.Call(method<StorageAccess> "WriteBlob" [ typeof<RecordWriter>; typeof<byte[]> ], target, slot.Value) :> Expression
        | SqlType.Blob -> Expression.Call(method<StorageAccess> "WriteBlobKey" [ typeof<KeyWriter>; typeof<byte[]> ], target, slot.Value) :> Expression
        | _ -> Expression.Call(target, writerType.GetMethod("WriteNull")) :> Expression
    unlessNull slot.IsNull (Expression.Call(target, writerType.GetMethod("WriteNull"))) value

/// CHECK constraints on a row: each condition, with the checks' columns bound to the row's values,
/// must not be FALSE (NULL passes).
let private checkRow (ctx: EmitContext) (table: TableSchema) (checks: RowChecks) (values: Slot list) : Expression list =
    let env = List.zip checks.Columns values |> List.fold (fun (env: Env) (c, slot) -> env.Add(c.Id, slot)) Map.empty
    checks.Conditions
    |> List.collect (fun (name, condition) ->
        let r = EmitExpr.emit ctx env condition
        let violated = Expression.AndAlso(Expression.Not(r.Slot.IsNull), Expression.Not(r.Slot.Value))
        r.Code
        @ [ Expression.IfThen(
                violated,
                Expression.Call(method<RuntimeErrors> "ThrowCheckViolation" [ typeof<string>; typeof<string> ], Expression.Constant(table.Name), Expression.Constant(name))
            ) :> Expression ])

/// NOT NULL checks, then the record and key of one row of `table` from one Slot per column. For a
/// rowid table the key is `rowid` when given (an UPDATE keeps it), else a new one.
let private encodeRow (ctx: EmitContext) (table: TableSchema) (values: Slot list) (rowid: Expression option) : Expression list =
    let records = Expression.Property(ctx.Context, "Records") :> Expression
    let keys = Expression.Property(ctx.Context, "Keys") :> Expression
    let throwNotNull = method<RuntimeErrors> "ThrowNotNull" [ typeof<string>; typeof<string> ]
    let checks =
        Seq.zip table.Columns values
        |> Seq.choose (fun (column, slot) ->
            if column.NotNull && not (isConstFalse slot.IsNull) then
                Some(Expression.IfThen(slot.IsNull, Expression.Call(throwNotNull, Expression.Constant(table.Name), Expression.Constant(column.Name))) :> Expression)
            else None)
        |> List.ofSeq
    let record =
        Expression.Call(records, typeof<RecordWriter>.GetMethod("Begin"), Expression.Constant(table.Columns.Count)) :> Expression
        :: (Seq.zip table.Columns values |> Seq.map (fun (c, slot) -> writerCall records typeof<RecordWriter> slot c.Type) |> List.ofSeq)
    let key =
        Expression.Call(keys, typeof<KeyWriter>.GetMethod("Reset")) :> Expression
        :: if table.HasRowId then
               let id =
                   match rowid with
                   | Some r -> Expression.Call(method<KeyRowId> "Of" [ typeof<byte[]> ], r) :> Expression
                   | None -> Expression.Call(method<StorageAccess> "NextRowId" [ typeof<TableSchema> ], Expression.Constant(table)) :> Expression
               [ Expression.Call(keys, typeof<KeyWriter>.GetMethod("WriteInt64"), id) :> Expression ]
           else [ for ordinal in table.PrimaryKey -> writerCall keys typeof<KeyWriter> values[ordinal] table.Columns[ordinal].Type ]
    checks @ record @ key

/// RETURNING: a buffer the change appends each returned row to, and the code that emits the buffer's
/// rows once the change is complete (resuming at a position counter, like any emitting loop).
type private Returned =
    { Append: Slot list -> Expression list
      Emit: Consume -> Expression }

let private returned (ctx: EmitContext) (checks: RowChecks) : Returned =
    let outputs = checks.Returning |> List.map fst
    let bufferSlot = ctx.NewBuffer()
    let buffer = Expression.Convert(bufferSlot, typeof<ColumnBuffer>) :> Expression
    let position = ctx.NewCounter()
    let append (values: Slot list) =
        if outputs.IsEmpty then []
        else
            let env = List.zip checks.Columns values |> List.fold (fun (env: Env) (c, slot) -> env.Add(c.Id, slot)) Map.empty
            let evaluated = checks.Returning |> List.map (fun (c, e) -> c, EmitExpr.emit ctx env e)
            let row = ctx.Local(typeof<int>, "returned")
            (evaluated |> List.collect (fun (_, e) -> e.Code))
            @ [ Expression.IfThen(
                    Expression.Equal(bufferSlot, Expression.Constant(null)),
                    Expression.Assign(bufferSlot, Expression.New(typeof<ColumnBuffer>.GetConstructor([| typeof<int> |]), Expression.Constant(outputs.Length)))
                ) :> Expression
                Expression.Assign(row, Expression.Call(buffer, typeof<ColumnBuffer>.GetMethod("AddRow"))) ]
            @ Materialize.store buffer 0 row (evaluated |> List.map (fun (c, e) -> c, e.Slot))
    let emit (consume: Consume) =
        if outputs.IsEmpty then Expression.Empty() :> Expression
        else
            Expression.IfThen(
                Expression.NotEqual(bufferSlot, Expression.Constant(null)),
                Materialize.emitRows ctx buffer position outputs false consume
            )
    { Append = append; Emit = emit }

let produceInsert (ctx: EmitContext) (produceChild: Produce) (table: TableSchema) (checks: RowChecks) (input: PhysicalPlan) (consume: Consume) : Expression =
    let affected = ctx.NewCounter()
    let columns = outputColumns input
    let returning = returned ctx checks
    let insertRow = method<StorageAccess> "InsertRow" [ typeof<StatementContext>; typeof<TableSchema>; typeof<KeyWriter>; typeof<RecordWriter> ]
    let write =
      produceChild input (fun env ->
        let values = columns |> List.map (fun c -> env[c.Id])
        block (
            checkRow ctx table checks values
            @ returning.Append values
            @ encodeRow ctx table values None
            @ [ Expression.Call(
                    insertRow,
                    ctx.Context,
                    Expression.Constant(table),
                    Expression.Property(ctx.Context, "Keys"),
                    Expression.Property(ctx.Context, "Records")
                ) :> Expression
                increment affected ]
        ))
    block [ once ctx write; returning.Emit consume ]

/// UPDATE (assignments) or DELETE (None): collect, then apply.
let produceChange (ctx: EmitContext) (produceChild: Produce) (table: TableRef) (assignments: Assignment list option) (checks: RowChecks) (input: PhysicalPlan) (consume: Consume) : Expression =
    let affected = ctx.NewCounter()
    let returning = returned ctx checks
    let batchSlot = ctx.NewObject()
    let batch = Expression.Convert(batchSlot, typeof<WriteBatch>) :> Expression
    let rowKey = ctx.Local(typeof<byte[]>, "row_key")
    ctx.RowKeyTargets <- ctx.RowKeyTargets.Add(table.Columns.Head.Id, rowKey)
    let collect =
        produceChild input (fun env ->
            match assignments with
            | None ->
                block (
                    (if checks.Returning.IsEmpty then [] else returning.Append(table.Columns |> List.map (fun c -> env[c.Id])))
                    @ [ Expression.Call(batch, typeof<WriteBatch>.GetMethod("Delete"), rowKey) :> Expression ]
                )
            | Some assignments ->
                let assigned = assignments |> List.map (fun a -> a.Ordinal, EmitExpr.emit ctx env a.Value) |> Map.ofList
                let values = table.Columns |> List.mapi (fun i c -> match assigned.TryFind i with Some e -> e.Slot | None -> env[c.Id])
                block (
                    (assigned |> Map.toList |> List.collect (fun (_, e) -> e.Code))
                    @ checkRow ctx table.Schema checks values
                    @ returning.Append values
                    @ encodeRow ctx table.Schema values (Some(rowKey :> Expression))
                    @ [ Expression.Call(batch, typeof<WriteBatch>.GetMethod("Replace", [| typeof<byte[]>; typeof<KeyWriter>; typeof<RecordWriter> |]), rowKey, Expression.Property(ctx.Context, "Keys"), Expression.Property(ctx.Context, "Records")) :> Expression ]
                ))
    block
        [ once ctx (
              block
                  [ Expression.Assign(batchSlot, Expression.New(typeof<WriteBatch>))
                    collect
                    Expression.Call(batch, typeof<WriteBatch>.GetMethod("Apply"), ctx.Context, Expression.Constant(table.Schema))
                    Expression.Assign(affected, Expression.Property(batch, "Count")) ]
          )
          returning.Emit consume ]
