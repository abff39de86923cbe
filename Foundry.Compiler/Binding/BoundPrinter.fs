/// The canonical text of bound expressions and statements, used by explain and golden files.
/// Columns print as name#id so that two columns of the same name stay distinguishable.
module Foundry.Compiler.Binding.BoundPrinter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

let private opText =
    function
    | Add -> "+"
    | Subtract -> "-"
    | Multiply -> "*"
    | Divide -> "/"
    | Modulo -> "%"
    | Concat -> "||"
    | Equal -> "="
    | NotEqual -> "<>"
    | Less -> "<"
    | LessOrEqual -> "<="
    | Greater -> ">"
    | GreaterOrEqual -> ">="
    | And -> "AND"
    | Or -> "OR"

let columnText (c: Column) = sprintf "%s#%d" c.Name c.Id

/// An expression, fully parenthesised below the top level so that the tree's shape is unambiguous.
let rec exprText (e: Expr) =
    let inner (x: Expr) =
        match x.Kind with
        | Binary _ -> "(" + exprText x + ")"
        | _ -> exprText x
    match e.Kind with
    | Constant v -> Value.toSql v
    | ColumnRef c -> columnText c
    | Unary(Negate, x) -> "-" + inner x
    | Unary(Not, x) -> "NOT " + inner x
    | Binary(op, a, b) -> sprintf "%s %s %s" (inner a) (opText op) (inner b)
    | IsNull(x, negated) -> sprintf "%s IS %sNULL" (inner x) (if negated then "NOT " else "")
    | Cast(x, t) -> sprintf "CAST(%s AS %s)" (exprText x) (t.Display())

let columnWithType (c: Column) =
    sprintf "%s %s%s" (columnText c) (c.Type.Display()) (if c.Nullable then "" else " NOT NULL")

let private typed (e: Expr) = sprintf "%s : %s" (exprText e) (e.Type.Display())

/// The bound statement as an indented tree.
let print (statement: Statement) =
    let lines = ResizeArray<string>()
    let add indent (s: string) = lines.Add(String.replicate indent "  " + s)
    match statement with
    | Select s ->
        add 0 "Select"
        for (name, e) in s.Output do
            add 1 (sprintf "Output %s = %s" name (typed e))
        match s.From with
        | Some t ->
            add 1 (sprintf "From %s AS %s" t.Schema.Name t.Alias)
            for c in t.Columns do
                add 2 (columnWithType c)
        | None -> ()
        s.Where |> Option.iter (fun w -> add 1 ("Where " + typed w))
        for k in s.OrderBy do
            add 1 (sprintf "OrderBy %s%s" (exprText k.Expr) (if k.Descending then " DESC" else ""))
        s.Limit |> Option.iter (fun n -> add 1 (sprintf "Limit %d" n))
        if s.Offset > 0L then add 1 (sprintf "Offset %d" s.Offset)
    | Insert i ->
        add 0 (sprintf "Insert %s" i.Table.Name)
        for row in i.Rows do
            add 1 ("Row (" + (row |> List.map typed |> String.concat ", ") + ")")
    | CreateTable c ->
        add 0 (sprintf "CreateTable %s%s" c.Name (if c.IfNotExists then " IF NOT EXISTS" else ""))
        c.Columns
        |> List.iteri (fun i col ->
            add 1 (sprintf "%s %s%s%s" col.Name (col.Type.Display()) (if col.NotNull then " NOT NULL" else "") (if List.contains i c.PrimaryKey then " PRIMARY KEY" else "")))
    | DropTable(name, ifExists) -> add 0 (sprintf "DropTable %s%s" name (if ifExists then " IF EXISTS" else ""))
    String.concat "\n" lines
