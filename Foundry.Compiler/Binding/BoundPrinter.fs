/// The canonical text of bound expressions and statements, used by explain and golden files.
/// Columns print as name#id so that two columns of the same name stay distinguishable.
module Foundry.Compiler.Binding.BoundPrinter

open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding
open Foundry.Runtime

let private opText = BinaryOp.text

let columnText (c: Column) = sprintf "%s#%d" c.Name c.Id

let aggregateText (exprText: Expr -> string) (a: AggregateCall) =
    match a.Function, a.Argument with
    | CountStar, _ -> "count(*)"
    | f, Some arg -> sprintf "%s(%s%s)" (FunctionBinder.aggregateName f) (if a.Distinct then "DISTINCT " else "") (exprText arg)
    | f, None -> sprintf "%s()" (FunctionBinder.aggregateName f)

/// An expression, fully parenthesised below the top level so that the tree's shape is unambiguous.
let rec exprText (e: Expr) =
    StackGuard.ensure e.Span
    let inner (x: Expr) =
        match x.Kind with
        | Binary _
        | Chain _
        | InSet _
        | IsDistinctFrom _
        | Like _ -> "(" + exprText x + ")"
        | _ -> exprText x
    match e.Kind with
    | Constant v -> Value.toSql v
    | ColumnRef c -> columnText c
    | Parameter n -> sprintf "$%d" n
    | Unary(Negate, x) -> "-" + inner x
    | Unary(Not, x) -> "NOT " + inner x
    | Binary(op, a, b) -> sprintf "%s %s %s" (inner a) (opText op) (inner b)
    | Chain(first, steps) ->
        let text = System.Text.StringBuilder(inner first)
        for op, x in steps do
            text.Append(' ').Append(opText op).Append(' ').Append(inner x) |> ignore
        text.ToString()
    | InSet(x, values, hasNull, negated) ->
        let constants = Seq.append (values |> Seq.map Value.toSql) (if hasNull then [ "NULL" ] else [])
        sprintf "%s %sIN (%s)" (inner x) (if negated then "NOT " else "") (String.concat ", " constants)
    | IsNull(x, negated) -> sprintf "%s IS %sNULL" (inner x) (if negated then "NOT " else "")
    | IsDistinctFrom(a, b, negated) -> sprintf "%s IS %sDISTINCT FROM %s" (inner a) (if negated then "NOT " else "") (inner b)
    | Cast(x, t) -> sprintf "CAST(%s AS %s)" (exprText x) (t.Display())
    | Case(whens, otherwise) ->
        let arms = whens |> List.map (fun (c, r) -> sprintf "WHEN %s THEN %s" (exprText c) (exprText r)) |> String.concat " "
        sprintf "CASE %s ELSE %s END" arms (exprText otherwise)
    | Function(f, args) -> sprintf "%s(%s)" (FunctionBinder.scalarName f) (args |> List.map exprText |> String.concat ", ")
    | Like(x, p, esc, negated) ->
        sprintf "%s %sLIKE %s%s" (inner x) (if negated then "NOT " else "") (inner p) (esc |> Option.map (fun e -> " ESCAPE " + exprText e) |> Option.defaultValue "")
    | Subquery(Scalar, q) -> sprintf "(subquery -> %s)" (q.Columns |> List.map columnText |> String.concat ", ")
    | Subquery(Exists negated, _) -> sprintf "%sEXISTS (subquery)" (if negated then "NOT " else "")
    | Subquery(In(x, negated), q) -> sprintf "%s %sIN (subquery -> %s)" (inner x) (if negated then "NOT " else "") (q.Columns |> List.map columnText |> String.concat ", ")

let columnWithType (c: Column) =
    sprintf "%s %s%s" (columnText c) (c.Type.Display()) (if c.Nullable then "" else " NOT NULL")

let private typed (e: Expr) = sprintf "%s : %s" (exprText e) (e.Type.Display())

/// The bound statement as an indented tree.
let print (statement: Statement) =
    let lines = ResizeArray<string>()
    let add indent (s: string) = lines.Add(String.replicate indent "  " + s)
    let rec source indent (s: Source) =
        match s with
        | TableSource t ->
            add indent (sprintf "Table %s AS %s (%s)" t.Schema.Name t.Alias (t.Columns |> List.map columnWithType |> String.concat ", "))
        | DerivedSource(q, alias, _) ->
            add indent (sprintf "Derived %s" (if alias = "" then "(unnamed)" else alias))
            query (indent + 1) q
        | WorkingTableSource(id, alias, _) -> add indent (sprintf "WorkingTable %d AS %s" id alias)
        | JoinSource(kind, l, r, condition) ->
            add indent (sprintf "Join %A%s" kind (condition |> Option.map (fun c -> " ON " + exprText c) |> Option.defaultValue ""))
            source (indent + 1) l
            source (indent + 1) r
    and body indent (b: QueryBody) =
        match b with
        | SelectBody s ->
            add indent (if s.Distinct then "Select DISTINCT" else "Select")
            s.From |> Option.iter (source (indent + 1))
            s.Where |> Option.iter (fun w -> add (indent + 1) ("Where " + typed w))
            match s.Grouping with
            | Some g ->
                for (c, k) in g.Keys do
                    add (indent + 1) (sprintf "GroupKey %s = %s" (columnText c) (typed k))
                for (c, a) in g.Aggregates do
                    add (indent + 1) (sprintf "Aggregate %s = %s : %s" (columnText c) (aggregateText exprText a) (a.Type.Display()))
            | None -> ()
            s.Having |> Option.iter (fun h -> add (indent + 1) ("Having " + typed h))
            s.Output
            |> List.iteri (fun i (c, e) -> add (indent + 1) (sprintf "%s %s = %s" (if i < s.VisibleCount then "Output" else "Hidden") (columnText c) (typed e)))
        | ValuesBody(rows, columns) ->
            add indent (sprintf "Values -> %s" (columns |> List.map columnText |> String.concat ", "))
            for row in rows do
                add (indent + 1) ("(" + (row |> List.map typed |> String.concat ", ") + ")")
        | RecursiveUnion(id, all, b, st, columns) ->
            add indent (sprintf "RecursiveUnion %d%s -> %s" id (if all then " ALL" else "") (columns |> List.map columnText |> String.concat ", "))
            body (indent + 1) b
            body (indent + 1) st
        | SetOperation(op, all, l, r, columns) ->
            add indent (sprintf "%A%s -> %s" op (if all then " ALL" else "") (columns |> List.map columnText |> String.concat ", "))
            body (indent + 1) l
            body (indent + 1) r
    and query indent (q: Query) =
        body indent q.Body
        for k in q.OrderBy do
            add (indent + 1) (sprintf "OrderBy %s%s%s" (exprText k.Expr) (if k.Descending then " DESC" else "") (if k.NullsFirst then " NULLS FIRST" else " NULLS LAST"))
        q.Limit |> Option.iter (fun n -> add (indent + 1) ("Limit " + exprText n))
        q.Offset |> Option.iter (fun n -> add (indent + 1) ("Offset " + exprText n))
    match statement with
    | Query q -> query 0 q
    | Insert i ->
        add 0 (sprintf "Insert %s" i.Table.Name)
        query 1 i.Source
    | Update u ->
        add 0 (sprintf "Update %s" u.Table.Schema.Name)
        source 1 u.Source
        for a in u.Assignments do
            add 1 (sprintf "Set %s = %s" u.Table.Schema.Columns[a.Ordinal].Name (typed a.Value))
        u.Where |> Option.iter (fun w -> add 1 ("Where " + typed w))
    | Delete d ->
        add 0 (sprintf "Delete %s" d.Table.Schema.Name)
        d.Where |> Option.iter (fun w -> add 1 ("Where " + typed w))
    | CreateTable c ->
        add 0 (sprintf "CreateTable %s%s" c.Name (if c.IfNotExists then " IF NOT EXISTS" else ""))
        c.Columns
        |> List.iteri (fun i col ->
            add 1 (sprintf "%s %s%s%s" col.Name (col.Type.Display()) (if col.NotNull then " NOT NULL" else "") (if List.contains i c.PrimaryKey then " PRIMARY KEY" else "")))
    | DropTable(name, ifExists) -> add 0 (sprintf "DropTable %s%s" name (if ifExists then " IF EXISTS" else ""))
    | CreateIndex i ->
        add 0 (sprintf "CreateIndex %s%s ON %s (%s)" (if i.Unique then "UNIQUE " else "") i.Name i.Table.Name (i.Columns |> List.map (fun o -> i.Table.Columns[o].Name) |> String.concat ", "))
    | DropIndex(name, ifExists) -> add 0 (sprintf "DropIndex %s%s" name (if ifExists then " IF EXISTS" else ""))
    | CreateView(name, sql, _) -> add 0 (sprintf "CreateView %s AS %s" name sql)
    | DropView(name, ifExists) -> add 0 (sprintf "DropView %s%s" name (if ifExists then " IF EXISTS" else ""))
    | AlterTable(t, AddColumn c) -> add 0 (sprintf "AlterTable %s AddColumn %s %s" t.Name c.Name (c.Type.Display()))
    | AlterTable(t, RenameColumn(o, n)) -> add 0 (sprintf "AlterTable %s RenameColumn %s TO %s" t.Name t.Columns[o].Name n)
    | AlterTable(t, RenameTable n) -> add 0 (sprintf "AlterTable %s RenameTo %s" t.Name n)
    | Begin -> add 0 "Begin"
    | Commit -> add 0 "Commit"
    | Rollback -> add 0 "Rollback"
    | Checkpoint -> add 0 "Checkpoint"
    | Analyze table -> add 0 ("Analyze" + (table |> Option.map (fun t -> " " + t) |> Option.defaultValue ""))
    | Explain(analyze, _) -> add 0 (if analyze then "Explain Analyze" else "Explain")
    String.concat "\n" lines
