/// INSERT ... VALUES: straight-line code per row: evaluate each column's expression, check NOT NULL,
/// encode the record and the key (primary-key columns, or a new hidden rowid), insert into the table's
/// B+Tree (a taken key raises the duplicate-key error), count the row. The engine undoes the whole
/// statement if any row fails, so a failing INSERT changes nothing.
module Foundry.Compiler.CodeGen.EmitInsert

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
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
        | SqlType.Blob -> invalidOp "Foundry bug: BLOB key columns are not supported yet" 
        | _ -> Expression.Call(target, writerType.GetMethod("WriteNull")) :> Expression
    match slot.IsNull with
    | :? ConstantExpression as k when k.Value = box false -> value
    | isNull -> Expression.Condition(isNull, Expression.Call(target, writerType.GetMethod("WriteNull")), value, writerType) :> Expression

let produce (ctx: EmitContext) (table: TableSchema) (rows: Expr list list) : Expression =
    let affected = ctx.NewCounter()
    let records = Expression.Property(ctx.Context, "Records") :> Expression
    let keys = Expression.Property(ctx.Context, "Keys") :> Expression
    let insertRow = method<StorageAccess> "InsertRow" [ typeof<StatementContext>; typeof<uint32>; typeof<string>; typeof<KeyWriter>; typeof<RecordWriter> ]
    let throwNotNull = method<RuntimeErrors> "ThrowNotNull" [ typeof<string>; typeof<string> ]
    let emitRow (row: Expr list) =
        let evaluated = row |> List.map (EmitExpr.emit ctx Map.empty)
        let checks =
            Seq.zip table.Columns evaluated
            |> Seq.choose (fun (column, e) ->
                match e.Slot.IsNull with
                | :? ConstantExpression as k when k.Value = box false -> None
                | isNull when column.NotNull ->
                    Some(Expression.IfThen(isNull, Expression.Call(throwNotNull, Expression.Constant(table.Name), Expression.Constant(column.Name))) :> Expression)
                | _ -> None)
            |> List.ofSeq
        let record =
            Expression.Call(records, typeof<RecordWriter>.GetMethod("Begin"), Expression.Constant(table.Columns.Count)) :> Expression
            :: (Seq.zip table.Columns evaluated |> Seq.map (fun (c, e) -> writerCall records typeof<RecordWriter> e.Slot c.Type) |> List.ofSeq)
        let key =
            Expression.Call(keys, typeof<KeyWriter>.GetMethod("Reset")) :> Expression
            :: if table.HasRowId then
                   [ Expression.Call(
                         keys,
                         typeof<KeyWriter>.GetMethod("WriteInt64"),
                         Expression.Call(method<StorageAccess> "NextRowId" [ typeof<TableSchema> ], Expression.Constant(table))
                     ) :> Expression ]
               else
                   [ for ordinal in table.PrimaryKey -> writerCall keys typeof<KeyWriter> evaluated[ordinal].Slot table.Columns[ordinal].Type ]
        block (
            (evaluated |> List.collect (fun e -> e.Code))
            @ checks
            @ record
            @ key
            @ [ Expression.Call(insertRow, ctx.Context, Expression.Constant(table.RootPageId), Expression.Constant(table.Name), keys, records)
                increment affected ]
        )
    block (rows |> List.map emitRow)
