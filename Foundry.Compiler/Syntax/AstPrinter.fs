/// The canonical printers of the Ast: an indented tree with spans (`foundry explain --stage ast`,
/// golden files), the same tree as JSON, and SQL text that parses back to the same Ast.
module Foundry.Compiler.Syntax.AstPrinter

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.Json
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax.Ast

// ---- shared text ----------------------------------------------------------------------------------

let private invariant = CultureInfo.InvariantCulture

/// An identifier as SQL: quoted ones in double quotes with inner quotes doubled.
let private identifierSql (id: Identifier) =
    if id.Quoted then "\"" + id.Name.Replace("\"", "\"\"") + "\"" else id.Name

/// A real that lexes as a real again: always has a '.' or an exponent; round-trip precision.
let private realSql (value: float) =
    if Double.IsPositiveInfinity value then "1E+999"
    elif Double.IsNegativeInfinity value then "-1E+999"
    elif Double.IsNaN value then "NaN"
    else
        let text = value.ToString("R", invariant)
        if text.Contains '.' || text.Contains 'E' then text else text + ".0"

let private literalSql =
    function
    | IntegerLiteral value -> value.ToString(invariant)
    | RealLiteral value -> realSql value
    | StringLiteral value -> "'" + value.Replace("'", "''") + "'"
    | BooleanLiteral true -> "TRUE"
    | BooleanLiteral false -> "FALSE"
    | NullLiteral -> "NULL"

let private typeSql (t: TypeName) =
    match t.Arguments with
    | [] -> t.Name
    | args -> sprintf "%s(%s)" t.Name (args |> List.map string |> String.concat ", ")

let private binarySql = BinaryOperator.sql

let private spanText (s: Span) = sprintf "@%d:%d-%d:%d" s.Start.Line s.Start.Column s.End.Line s.End.Column

let private commaList f xs = xs |> List.map f |> String.concat ", "

let private columnsSql (columns: Identifier list) = "(" + commaList identifierSql columns + ")"

let private negatedPrefix (negated: bool) (name: string) = if negated then "Not" + name else name

let private joinKindName =
    function
    | InnerJoin -> "Inner"
    | LeftJoin -> "Left"
    | RightJoin -> "Right"
    | FullJoin -> "Full"
    | CrossJoin -> "Cross"

let private setOperatorName =
    function
    | Union -> "Union"
    | Intersect -> "Intersect"
    | Except -> "Except"

let private actionSql =
    function
    | NoAction -> "NO ACTION"
    | Restrict -> "RESTRICT"
    | Cascade -> "CASCADE"
    | SetNull -> "SET NULL"

/// REFERENCES t (cols) [ON DELETE action]; NO ACTION is the default and is not printed.
let private referenceSql (r: ForeignKeyReference) =
    "REFERENCES " + identifierSql r.Table
    + (if r.Columns.IsEmpty then "" else " " + columnsSql r.Columns)
    + (if r.OnDelete = NoAction then "" else " ON DELETE " + actionSql r.OnDelete)

// ---- indented tree --------------------------------------------------------------------------------

let private exprHeader (e: Expr) =
    match e.Kind with
    | Literal(IntegerLiteral _ as l) -> "Literal Integer " + literalSql l
    | Literal(RealLiteral _ as l) -> "Literal Real " + literalSql l
    | Literal(StringLiteral _ as l) -> "Literal String " + literalSql l
    | Literal(BooleanLiteral _ as l) -> "Literal Boolean " + literalSql l
    | Literal NullLiteral -> "Literal Null"
    | ColumnRef(None, name) -> "ColumnRef " + identifierSql name
    | ColumnRef(Some q, name) -> sprintf "ColumnRef %s.%s" (identifierSql q) (identifierSql name)
    | Parameter n -> sprintf "Parameter $%d" n
    | Unary(op, _) -> sprintf "Unary %A" op
    | Binary(op, _, _) -> sprintf "Binary %A" op
    | Chain _ -> "Chain"
    | IsNull(_, false) -> "IsNull"
    | IsNull(_, true) -> "IsNotNull"
    | IsDistinctFrom(_, _, negated) -> if negated then "IsNotDistinctFrom" else "IsDistinctFrom"
    | FunctionCall(name, _, _, true) -> sprintf "FunctionCall %s(*)" (identifierSql name)
    | FunctionCall(name, _, true, _) -> sprintf "FunctionCall %s DISTINCT" (identifierSql name)
    | FunctionCall(name, _, false, _) -> "FunctionCall " + identifierSql name
    | Case _ -> "Case"
    | Cast(_, t) -> "Cast AS " + typeSql t
    | Between(_, _, _, negated) -> negatedPrefix negated "Between"
    | InList(_, _, negated) -> negatedPrefix negated "InList"
    | InSubquery(_, _, negated) -> negatedPrefix negated "InSubquery"
    | Exists(_, negated) -> negatedPrefix negated "Exists"
    | ScalarSubquery _ -> "ScalarSubquery"
    | Like(_, _, _, negated) -> negatedPrefix negated "Like"
    | Parenthesized _ -> "Parenthesized"

let private line (out: StringBuilder) (indent: int) (text: string) = out.Append(' ', indent).Append(text).Append('\n') |> ignore

let private aliasText (alias: Identifier option) =
    alias |> Option.map (fun a -> " AS " + identifierSql a) |> Option.defaultValue ""

/// Writes `label` + the expression's node line, then its children one level deeper.
let rec private writeExpr (out: StringBuilder) (indent: int) (label: string) (e: Expr) =
    StackGuard.ensure e.Span
    line out indent (label + exprHeader e + " " + spanText e.Span)
    let child = writeExpr out (indent + 2)
    match e.Kind with
    | Literal _
    | ColumnRef _
    | Parameter _ -> ()
    | Unary(_, a)
    | IsNull(a, _)
    | Cast(a, _)
    | Parenthesized a -> child "" a
    | Binary(_, l, r)
    | IsDistinctFrom(l, r, _) ->
        child "" l
        child "" r
    | Chain(first, rest) ->
        child "" first
        for op, operand in rest do
            child (sprintf "%A: " op) operand
    | FunctionCall(_, args, _, _) -> args |> List.iter (child "")
    | Case(operand, whens, elseResult) ->
        operand |> Option.iter (child "Operand: ")
        for w, t in whens do
            child "When: " w
            child "Then: " t
        elseResult |> Option.iter (child "Else: ")
    | Between(a, low, high, _) ->
        child "" a
        child "Low: " low
        child "High: " high
    | InList(a, items, _) ->
        child "" a
        items |> List.iter (child "Item: ")
    | InSubquery(a, q, _) ->
        child "" a
        writeQueryNode out (indent + 2) "" q
    | Exists(q, _)
    | ScalarSubquery q -> writeQueryNode out (indent + 2) "" q
    | Like(a, pattern, escape, _) ->
        child "" a
        child "Pattern: " pattern
        escape |> Option.iter (child "Escape: ")

/// A query as a `Query @span` line with its contents below.
and private writeQueryNode (out: StringBuilder) (indent: int) (label: string) (q: Query) =
    line out indent (label + "Query " + spanText q.Span)
    writeQuery out (indent + 2) q

/// A query's clauses at `indent`; a plain SELECT body is written flat, as its clauses.
and private writeQuery (out: StringBuilder) (indent: int) (q: Query) =
    if q.Recursive then line out indent "Recursive"
    for cte in q.With do
        let columns = cte.Columns |> Option.map columnsSql |> Option.defaultValue ""
        line out indent (sprintf "With %s%s %s" (identifierSql cte.Name) columns (spanText cte.Span))
        writeQueryNode out (indent + 2) "" cte.Query
    match q.Body with
    | Specification s -> writeSelect out indent s
    | body -> writeBody out indent "" body
    for o in q.OrderBy do
        let nulls =
            match o.NullsFirst with
            | Some true -> " NULLS FIRST"
            | Some false -> " NULLS LAST"
            | None -> ""
        writeExpr out indent ((if o.Descending then "OrderBy DESC" else "OrderBy") + nulls + ": ") o.Expr
    q.Limit |> Option.iter (writeExpr out indent "Limit: ")
    q.Offset |> Option.iter (writeExpr out indent "Offset: ")

and private writeBody (out: StringBuilder) (indent: int) (label: string) (body: QueryBody) =
    match body with
    | Specification s ->
        line out indent (label + "Specification " + spanText s.Span)
        writeSelect out (indent + 2) s
    | Values(rows, span) ->
        line out indent (label + "Values " + spanText span)
        writeRows out (indent + 2) rows
    | SetOperation(op, all, left, right, span) ->
        line out indent (sprintf "%s%s%s %s" label (setOperatorName op) (if all then " All" else "") (spanText span))
        writeBody out (indent + 2) "Left: " left
        writeBody out (indent + 2) "Right: " right
    | Nested q -> writeQueryNode out indent label q

and private writeRows (out: StringBuilder) (indent: int) (rows: Expr list list) =
    rows
    |> List.iteri (fun n row ->
        line out indent (sprintf "Row %d" (n + 1))
        for e in row do
            writeExpr out (indent + 2) "" e)

and private writeItems (out: StringBuilder) (indent: int) (name: string) (items: SelectItem list) =
    for item in items do
        match item with
        | AllColumns span -> line out indent (sprintf "%s: * %s" name (spanText span))
        | TableColumns(table, span) -> line out indent (sprintf "%s: %s.* %s" name (identifierSql table) (spanText span))
        | ExprItem(e, None) -> writeExpr out indent (name + ": ") e
        | ExprItem(e, Some alias) -> writeExpr out indent (sprintf "%s AS %s: " name (identifierSql alias)) e

and private writeSelect (out: StringBuilder) (indent: int) (s: Select) =
    if s.Distinct then line out indent "Distinct"
    writeItems out indent "Item" s.Items
    s.From |> List.iter (writeFrom out indent "From: ")
    s.Where |> Option.iter (writeExpr out indent "Where: ")
    s.GroupBy |> List.iter (writeExpr out indent "GroupBy: ")
    s.Having |> Option.iter (writeExpr out indent "Having: ")

and private writeFrom (out: StringBuilder) (indent: int) (label: string) (item: FromItem) =
    match item with
    | Table t -> line out indent (sprintf "%s%s%s %s" label (identifierSql t.Name) (aliasText t.Alias) (spanText t.Span))
    | Derived(q, alias, columns, span) ->
        let columns = columns |> Option.map columnsSql |> Option.defaultValue ""
        line out indent (sprintf "%sDerived AS %s%s %s" label (identifierSql alias) columns (spanText span))
        writeQueryNode out (indent + 2) "" q
    | Join(kind, left, right, condition, span) ->
        let natural = if condition = Natural then " Natural" else ""
        line out indent (sprintf "%sJoin %s%s %s" label (joinKindName kind) natural (spanText span))
        writeFrom out (indent + 2) "Left: " left
        writeFrom out (indent + 2) "Right: " right
        match condition with
        | On e -> writeExpr out (indent + 2) "On: " e
        | Using columns -> line out (indent + 2) ("Using: " + columnsSql columns)
        | Natural
        | NoCondition -> ()

let private writeColumn (out: StringBuilder) (indent: int) (label: string) (col: ColumnDef) =
    line out indent (sprintf "%s%s %s %s" label (identifierSql col.Name) (typeSql col.Type) (spanText col.Span))
    for c in col.Constraints do
        match c with
        | PrimaryKeyConstraint span -> line out (indent + 2) ("PrimaryKey " + spanText span)
        | NotNullConstraint span -> line out (indent + 2) ("NotNull " + spanText span)
        | UniqueConstraint span -> line out (indent + 2) ("Unique " + spanText span)
        | DefaultConstraint(e, span) ->
            line out (indent + 2) ("Default " + spanText span)
            writeExpr out (indent + 4) "" e
        | CheckConstraint(e, span) ->
            line out (indent + 2) ("Check " + spanText span)
            writeExpr out (indent + 4) "" e
        | ReferencesConstraint r -> line out (indent + 2) (sprintf "%s %s" (referenceSql r) (spanText r.Span))

let private writeTableConstraint (out: StringBuilder) (indent: int) (c: TableConstraint) =
    match c with
    | PrimaryKeyTableConstraint(columns, span) -> line out indent (sprintf "PrimaryKey: %s %s" (columnsSql columns) (spanText span))
    | UniqueTableConstraint(columns, span) -> line out indent (sprintf "Unique: %s %s" (columnsSql columns) (spanText span))
    | CheckTableConstraint(e, span) ->
        line out indent ("Check " + spanText span)
        writeExpr out (indent + 2) "" e
    | ForeignKeyTableConstraint(columns, r, span) ->
        line out indent (sprintf "ForeignKey: %s %s %s" (columnsSql columns) (referenceSql r) (spanText span))

let private ifExistsText (flag: bool) (words: string) = if flag then words + " " else ""

let rec private writeStatement (out: StringBuilder) (indent: int) (statement: Statement) =
    let at = spanText statement.Span
    let line = line out
    match statement.Kind with
    | Select q ->
        line indent ("Select " + at)
        writeQuery out (indent + 2) q
    | CreateTable c ->
        line indent (sprintf "CreateTable %s %s" (identifierSql c.Name) at)
        if c.IfNotExists then line (indent + 2) "IfNotExists"
        c.Columns |> List.iter (writeColumn out (indent + 2) "Column: ")
        c.Constraints |> List.iter (writeTableConstraint out (indent + 2))
    | DropTable(name, ifExists) -> line indent (sprintf "DropTable %s%s %s" (ifExistsText ifExists "IF EXISTS") (identifierSql name) at)
    | CreateIndex i ->
        line indent (sprintf "CreateIndex%s %s ON %s %s" (if i.Unique then " UNIQUE" else "") (identifierSql i.Name) (identifierSql i.Table) at)
        if i.IfNotExists then line (indent + 2) "IfNotExists"
        for c in i.Columns do
            line (indent + 2) (sprintf "Column: %s%s %s" (identifierSql c.Column) (if c.Descending then " DESC" else "") (spanText c.Span))
    | DropIndex(name, ifExists) -> line indent (sprintf "DropIndex %s%s %s" (ifExistsText ifExists "IF EXISTS") (identifierSql name) at)
    | CreateView v ->
        let columns = v.Columns |> Option.map columnsSql |> Option.defaultValue ""
        line indent (sprintf "CreateView %s%s %s" (identifierSql v.Name) columns at)
        if v.IfNotExists then line (indent + 2) "IfNotExists"
        writeQueryNode out (indent + 2) "" v.Query
    | DropView(name, ifExists) -> line indent (sprintf "DropView %s%s %s" (ifExistsText ifExists "IF EXISTS") (identifierSql name) at)
    | AlterTable(table, action) ->
        line indent (sprintf "AlterTable %s %s" (identifierSql table) at)
        match action with
        | AddColumn col -> writeColumn out (indent + 2) "AddColumn: " col
        | RenameColumn(oldName, newName) -> line (indent + 2) (sprintf "RenameColumn: %s TO %s" (identifierSql oldName) (identifierSql newName))
        | RenameTable newName -> line (indent + 2) ("RenameTo: " + identifierSql newName)
    | Insert i ->
        line indent (sprintf "Insert %s %s" (identifierSql i.Table) at)
        i.Columns |> Option.iter (fun columns -> line (indent + 2) ("Columns: " + columnsSql columns))
        match i.Source with
        | ValuesSource rows -> writeRows out (indent + 2) rows
        | QuerySource q -> writeQueryNode out (indent + 2) "" q
        | DefaultValues -> line (indent + 2) "DefaultValues"
        writeItems out (indent + 2) "Returning" i.Returning
    | Update u ->
        line indent (sprintf "Update %s%s %s" (identifierSql u.Table.Name) (aliasText u.Table.Alias) at)
        for column, value in u.Assignments do
            writeExpr out (indent + 2) (sprintf "Set %s: " (identifierSql column)) value
        u.From |> List.iter (writeFrom out (indent + 2) "From: ")
        u.Where |> Option.iter (writeExpr out (indent + 2) "Where: ")
        writeItems out (indent + 2) "Returning" u.Returning
    | Delete d ->
        line indent (sprintf "Delete %s%s %s" (identifierSql d.Table.Name) (aliasText d.Table.Alias) at)
        d.Where |> Option.iter (writeExpr out (indent + 2) "Where: ")
        writeItems out (indent + 2) "Returning" d.Returning
    | Begin -> line indent ("Begin " + at)
    | Commit -> line indent ("Commit " + at)
    | Rollback -> line indent ("Rollback " + at)
    | Checkpoint -> line indent ("Checkpoint " + at)
    | Analyze table -> line indent (sprintf "Analyze%s %s" (table |> Option.map (fun t -> " " + identifierSql t) |> Option.defaultValue "") at)
    | Explain(analyze, inner) ->
        line indent ((if analyze then "Explain ANALYZE " else "Explain ") + at)
        writeStatement out (indent + 2) inner

/// Deterministic indented tree, one node per line with its span `@line:col-line:col` (end exclusive).
let printStatement (statement: Statement) : string =
    let out = StringBuilder()
    writeStatement out 0 statement
    out.ToString().TrimEnd('\n')

// ---- JSON ---------------------------------------------------------------------------------------

let private writeSpan (w: Utf8JsonWriter) (s: Span) =
    let position (name: string) (p: Position) =
        w.WriteStartObject name
        w.WriteNumber("line", p.Line)
        w.WriteNumber("column", p.Column)
        w.WriteNumber("offset", p.Offset)
        w.WriteEndObject()
    w.WriteStartObject "span"
    position "start" s.Start
    position "end" s.End
    w.WriteEndObject()

/// Starts a node object: {"kind": ..., "span": ...; the caller writes the fields and ends it.
let private startNode (w: Utf8JsonWriter) (kind: string) (span: Span) =
    w.WriteStartObject()
    w.WriteString("kind", kind)
    writeSpan w span

let private writeIdentifierValue (w: Utf8JsonWriter) (id: Identifier) =
    w.WriteStartObject()
    w.WriteString("name", id.Name)
    w.WriteBoolean("quoted", id.Quoted)
    writeSpan w id.Span
    w.WriteEndObject()

let private writeIdentifier (w: Utf8JsonWriter) (name: string) (id: Identifier) =
    w.WritePropertyName name
    writeIdentifierValue w id

let private writeOptional (w: Utf8JsonWriter) (name: string) (write: 'a -> unit) (value: 'a option) =
    match value with
    | Some v ->
        w.WritePropertyName name
        write v
    | None -> w.WriteNull name

let private writeArray (w: Utf8JsonWriter) (name: string) (write: 'a -> unit) (values: 'a list) =
    w.WriteStartArray name
    values |> List.iter write
    w.WriteEndArray()

let private writeIdentifiers (w: Utf8JsonWriter) (name: string) (ids: Identifier list) = writeArray w name (writeIdentifierValue w) ids

let private writeIdentifierArray (w: Utf8JsonWriter) (ids: Identifier list) =
    w.WriteStartArray()
    ids |> List.iter (writeIdentifierValue w)
    w.WriteEndArray()

let private writeType (w: Utf8JsonWriter) (t: TypeName) =
    w.WriteStartObject "type"
    w.WriteString("name", t.Name)
    w.WriteStartArray "arguments"
    t.Arguments |> List.iter (fun a -> w.WriteNumberValue a)
    w.WriteEndArray()
    writeSpan w t.Span
    w.WriteEndObject()

let rec private jsonExprValue (w: Utf8JsonWriter) (e: Expr) =
    let name = function
        | Literal _ -> "Literal"
        | ColumnRef _ -> "ColumnRef"
        | Parameter _ -> "Parameter"
        | Unary _ -> "Unary"
        | Binary _ -> "Binary"
        | Chain _ -> "Chain"
        | IsNull _ -> "IsNull"
        | IsDistinctFrom _ -> "IsDistinctFrom"
        | FunctionCall _ -> "FunctionCall"
        | Case _ -> "Case"
        | Cast _ -> "Cast"
        | Between _ -> "Between"
        | InList _ -> "InList"
        | InSubquery _ -> "InSubquery"
        | Exists _ -> "Exists"
        | ScalarSubquery _ -> "ScalarSubquery"
        | Like _ -> "Like"
        | Parenthesized _ -> "Parenthesized"
    startNode w (name e.Kind) e.Span
    let expr = jsonExpr w
    let optionalExpr (field: string) = writeOptional w field (jsonExprValue w)
    let negated (value: bool) = w.WriteBoolean("negated", value)
    match e.Kind with
    | Literal l ->
        match l with
        | IntegerLiteral v ->
            w.WriteString("type", "Integer")
            w.WriteNumber("value", v)
        | RealLiteral v ->
            w.WriteString("type", "Real")
            if Double.IsFinite v then w.WriteNumber("value", v) else w.WriteString("value", realSql v)
        | StringLiteral v ->
            w.WriteString("type", "String")
            w.WriteString("value", v)
        | BooleanLiteral v ->
            w.WriteString("type", "Boolean")
            w.WriteBoolean("value", v)
        | NullLiteral ->
            w.WriteString("type", "Null")
            w.WriteNull "value"
    | ColumnRef(qualifier, columnName) ->
        writeOptional w "qualifier" (writeIdentifierValue w) qualifier
        writeIdentifier w "name" columnName
    | Parameter n -> w.WriteNumber("index", n)
    | Unary(op, operand) ->
        w.WriteString("operator", sprintf "%A" op)
        expr "operand" operand
    | Binary(op, left, right) ->
        w.WriteString("operator", sprintf "%A" op)
        expr "left" left
        expr "right" right
    | Chain(first, rest) ->
        expr "first" first
        w.WriteStartArray "rest"
        for op, operand in rest do
            w.WriteStartObject()
            w.WriteString("operator", sprintf "%A" op)
            expr "operand" operand
            w.WriteEndObject()
        w.WriteEndArray()
    | IsNull(operand, isNegated) ->
        negated isNegated
        expr "operand" operand
    | IsDistinctFrom(left, right, isNegated) ->
        negated isNegated
        expr "left" left
        expr "right" right
    | FunctionCall(functionName, args, distinct, star) ->
        writeIdentifier w "name" functionName
        w.WriteBoolean("distinct", distinct)
        w.WriteBoolean("star", star)
        writeArray w "arguments" (jsonExprValue w) args
    | Case(operand, whens, elseResult) ->
        optionalExpr "operand" operand
        w.WriteStartArray "whens"
        for condition, result in whens do
            w.WriteStartObject()
            expr "when" condition
            expr "then" result
            w.WriteEndObject()
        w.WriteEndArray()
        optionalExpr "else" elseResult
    | Cast(operand, t) ->
        expr "operand" operand
        writeType w t
    | Between(operand, low, high, isNegated) ->
        negated isNegated
        expr "operand" operand
        expr "low" low
        expr "high" high
    | InList(operand, items, isNegated) ->
        negated isNegated
        expr "operand" operand
        writeArray w "items" (jsonExprValue w) items
    | InSubquery(operand, q, isNegated) ->
        negated isNegated
        expr "operand" operand
        jsonQuery w "query" q
    | Exists(q, isNegated) ->
        negated isNegated
        jsonQuery w "query" q
    | ScalarSubquery q -> jsonQuery w "query" q
    | Like(operand, pattern, escape, isNegated) ->
        negated isNegated
        expr "operand" operand
        expr "pattern" pattern
        optionalExpr "escape" escape
    | Parenthesized inner -> expr "expr" inner
    w.WriteEndObject()

and private jsonExpr (w: Utf8JsonWriter) (name: string) (e: Expr) =
    w.WritePropertyName name
    jsonExprValue w e

and private jsonItems (w: Utf8JsonWriter) (name: string) (items: SelectItem list) =
    w.WriteStartArray name
    for item in items do
        match item with
        | AllColumns span -> startNode w "AllColumns" span
        | TableColumns(table, span) ->
            startNode w "TableColumns" span
            writeIdentifier w "table" table
        | ExprItem(e, alias) ->
            w.WriteStartObject()
            w.WriteString("kind", "ExprItem")
            jsonExpr w "expr" e
            writeOptional w "alias" (writeIdentifierValue w) alias
        w.WriteEndObject()
    w.WriteEndArray()

and private jsonFromValue (w: Utf8JsonWriter) (item: FromItem) =
    match item with
    | Table t ->
        startNode w "Table" t.Span
        writeIdentifier w "name" t.Name
        writeOptional w "alias" (writeIdentifierValue w) t.Alias
    | Derived(q, alias, columns, span) ->
        startNode w "Derived" span
        jsonQuery w "query" q
        writeIdentifier w "alias" alias
        writeOptional w "columns" (writeIdentifierArray w) columns
    | Join(kind, left, right, condition, span) ->
        startNode w "Join" span
        w.WriteString("joinKind", joinKindName kind)
        w.WritePropertyName "left"
        jsonFromValue w left
        w.WritePropertyName "right"
        jsonFromValue w right
        match condition with
        | On e ->
            w.WriteString("condition", "On")
            jsonExpr w "on" e
        | Using columns ->
            w.WriteString("condition", "Using")
            writeIdentifiers w "using" columns
        | Natural -> w.WriteString("condition", "Natural")
        | NoCondition -> w.WriteString("condition", "None")
    w.WriteEndObject()

and private jsonBodyValue (w: Utf8JsonWriter) (body: QueryBody) =
    match body with
    | Specification s ->
        startNode w "Specification" s.Span
        w.WriteBoolean("distinct", s.Distinct)
        jsonItems w "items" s.Items
        writeArray w "from" (jsonFromValue w) s.From
        writeOptional w "where" (jsonExprValue w) s.Where
        writeArray w "groupBy" (jsonExprValue w) s.GroupBy
        writeOptional w "having" (jsonExprValue w) s.Having
        w.WriteEndObject()
    | Values(rows, span) ->
        startNode w "Values" span
        jsonRows w rows
        w.WriteEndObject()
    | SetOperation(op, all, left, right, span) ->
        startNode w "SetOperation" span
        w.WriteString("operator", setOperatorName op)
        w.WriteBoolean("all", all)
        w.WritePropertyName "left"
        jsonBodyValue w left
        w.WritePropertyName "right"
        jsonBodyValue w right
        w.WriteEndObject()
    | Nested q -> jsonQueryValue w q

and private jsonRows (w: Utf8JsonWriter) (rows: Expr list list) =
    w.WriteStartArray "rows"
    for row in rows do
        w.WriteStartArray()
        row |> List.iter (jsonExprValue w)
        w.WriteEndArray()
    w.WriteEndArray()

and private jsonQueryValue (w: Utf8JsonWriter) (q: Query) =
    startNode w "Query" q.Span
    w.WriteBoolean("recursive", q.Recursive)
    w.WriteStartArray "with"
    for cte in q.With do
        startNode w "CommonTableExpr" cte.Span
        writeIdentifier w "name" cte.Name
        writeOptional w "columns" (writeIdentifierArray w) cte.Columns
        jsonQuery w "query" cte.Query
        w.WriteEndObject()
    w.WriteEndArray()
    w.WritePropertyName "body"
    jsonBodyValue w q.Body
    w.WriteStartArray "orderBy"
    for o in q.OrderBy do
        startNode w "OrderItem" o.Span
        jsonExpr w "expr" o.Expr
        w.WriteBoolean("descending", o.Descending)
        match o.NullsFirst with
        | Some first -> w.WriteBoolean("nullsFirst", first)
        | None -> w.WriteNull "nullsFirst"
        w.WriteEndObject()
    w.WriteEndArray()
    writeOptional w "limit" (jsonExprValue w) q.Limit
    writeOptional w "offset" (jsonExprValue w) q.Offset
    w.WriteEndObject()

and private jsonQuery (w: Utf8JsonWriter) (name: string) (q: Query) =
    w.WritePropertyName name
    jsonQueryValue w q

let private jsonReference (w: Utf8JsonWriter) (r: ForeignKeyReference) =
    w.WriteStartObject "references"
    writeSpan w r.Span
    writeIdentifier w "table" r.Table
    writeIdentifiers w "columns" r.Columns
    w.WriteString("onDelete", sprintf "%A" r.OnDelete)
    w.WriteEndObject()

let private jsonColumnValue (w: Utf8JsonWriter) (col: ColumnDef) =
    startNode w "Column" col.Span
    writeIdentifier w "name" col.Name
    writeType w col.Type
    w.WriteStartArray "constraints"
    for c in col.Constraints do
        match c with
        | PrimaryKeyConstraint span -> startNode w "PrimaryKey" span
        | NotNullConstraint span -> startNode w "NotNull" span
        | UniqueConstraint span -> startNode w "Unique" span
        | DefaultConstraint(e, span) ->
            startNode w "Default" span
            jsonExpr w "expr" e
        | CheckConstraint(e, span) ->
            startNode w "Check" span
            jsonExpr w "expr" e
        | ReferencesConstraint r ->
            startNode w "References" r.Span
            jsonReference w r
        w.WriteEndObject()
    w.WriteEndArray()
    w.WriteEndObject()

let private jsonTableConstraintValue (w: Utf8JsonWriter) (c: TableConstraint) =
    match c with
    | PrimaryKeyTableConstraint(columns, span) ->
        startNode w "PrimaryKey" span
        writeIdentifiers w "columns" columns
    | UniqueTableConstraint(columns, span) ->
        startNode w "Unique" span
        writeIdentifiers w "columns" columns
    | CheckTableConstraint(e, span) ->
        startNode w "Check" span
        jsonExpr w "expr" e
    | ForeignKeyTableConstraint(columns, r, span) ->
        startNode w "ForeignKey" span
        writeIdentifiers w "columns" columns
        jsonReference w r
    w.WriteEndObject()

let private statementKindName =
    function
    | CreateTable _ -> "CreateTable"
    | DropTable _ -> "DropTable"
    | CreateIndex _ -> "CreateIndex"
    | DropIndex _ -> "DropIndex"
    | CreateView _ -> "CreateView"
    | DropView _ -> "DropView"
    | AlterTable _ -> "AlterTable"
    | Insert _ -> "Insert"
    | Update _ -> "Update"
    | Delete _ -> "Delete"
    | Select _ -> "Select"
    | Begin -> "Begin"
    | Commit -> "Commit"
    | Rollback -> "Rollback"
    | Checkpoint -> "Checkpoint"
    | Analyze _ -> "Analyze"
    | Explain _ -> "Explain"

let rec private jsonStatementValue (w: Utf8JsonWriter) (statement: Statement) =
    startNode w (statementKindName statement.Kind) statement.Span
    let dropFields (name: Identifier) (ifExists: bool) =
        writeIdentifier w "name" name
        w.WriteBoolean("ifExists", ifExists)
    match statement.Kind with
    | Select q -> jsonQuery w "query" q
    | CreateTable c ->
        writeIdentifier w "name" c.Name
        w.WriteBoolean("ifNotExists", c.IfNotExists)
        writeArray w "columns" (jsonColumnValue w) c.Columns
        writeArray w "constraints" (jsonTableConstraintValue w) c.Constraints
    | DropTable(name, ifExists)
    | DropIndex(name, ifExists)
    | DropView(name, ifExists) -> dropFields name ifExists
    | CreateIndex i ->
        writeIdentifier w "name" i.Name
        w.WriteBoolean("unique", i.Unique)
        w.WriteBoolean("ifNotExists", i.IfNotExists)
        writeIdentifier w "table" i.Table
        w.WriteStartArray "columns"
        for c in i.Columns do
            startNode w "IndexColumn" c.Span
            writeIdentifier w "column" c.Column
            w.WriteBoolean("descending", c.Descending)
            w.WriteEndObject()
        w.WriteEndArray()
    | CreateView v ->
        writeIdentifier w "name" v.Name
        w.WriteBoolean("ifNotExists", v.IfNotExists)
        writeOptional w "columns" (writeIdentifierArray w) v.Columns
        jsonQuery w "query" v.Query
    | AlterTable(table, action) ->
        writeIdentifier w "table" table
        match action with
        | AddColumn col ->
            w.WriteString("action", "AddColumn")
            w.WritePropertyName "column"
            jsonColumnValue w col
        | RenameColumn(oldName, newName) ->
            w.WriteString("action", "RenameColumn")
            writeIdentifier w "oldName" oldName
            writeIdentifier w "newName" newName
        | RenameTable newName ->
            w.WriteString("action", "RenameTable")
            writeIdentifier w "newName" newName
    | Insert i ->
        writeIdentifier w "table" i.Table
        writeOptional w "columns" (writeIdentifierArray w) i.Columns
        match i.Source with
        | ValuesSource rows ->
            w.WriteString("source", "Values")
            jsonRows w rows
        | QuerySource q ->
            w.WriteString("source", "Query")
            jsonQuery w "query" q
        | DefaultValues -> w.WriteString("source", "DefaultValues")
        jsonItems w "returning" i.Returning
    | Update u ->
        w.WritePropertyName "table"
        jsonFromValue w (Table u.Table)
        w.WriteStartArray "assignments"
        for column, value in u.Assignments do
            w.WriteStartObject()
            writeIdentifier w "column" column
            jsonExpr w "value" value
            w.WriteEndObject()
        w.WriteEndArray()
        writeArray w "from" (jsonFromValue w) u.From
        writeOptional w "where" (jsonExprValue w) u.Where
        jsonItems w "returning" u.Returning
    | Delete d ->
        w.WritePropertyName "table"
        jsonFromValue w (Table d.Table)
        writeOptional w "where" (jsonExprValue w) d.Where
        jsonItems w "returning" d.Returning
    | Begin
    | Commit
    | Rollback
    | Checkpoint -> ()
    | Analyze table -> writeOptional w "table" (writeIdentifierValue w) table
    | Explain(analyze, inner) ->
        w.WriteBoolean("analyze", analyze)
        w.WritePropertyName "statement"
        jsonStatementValue w inner
    w.WriteEndObject()

/// The same tree as JSON: indented, keys always in the same order, every node with its kind and span.
let toJson (statement: Statement) : string =
    use stream = new MemoryStream()
    // Each nesting level of the statement takes a few JSON levels; the writer's default limit is 1,000.
    (use w = new Utf8JsonWriter(stream, JsonWriterOptions(Indented = true, MaxDepth = 8 * StackGuard.maxDepth))
     jsonStatementValue w statement)
    Encoding.UTF8.GetString(stream.ToArray())

// ---- SQL ----------------------------------------------------------------------------------------

// Parentheses follow the grammar's precedence climbing exactly (FoundrySql.g4, rules expr and
// valueExpr), so text printed from a parsed Ast reparses to the same Ast, Parenthesized nodes
// included, and a synthesised Ast gains parentheses only where its shape needs them. Levels, tightest
// last: OR 1, AND 2, NOT 3 (prefix), IS [NOT] NULL 4 (suffix), IS [NOT] DISTINCT FROM 5,
// comparisons 6, BETWEEN / IN / LIKE 7 (suffix; their operands after the keyword are parsed at 8),
// || 8, + - 9, * / % 10, unary + - 11. Levels 8 and above are the valueExpr rule: its operands must
// themselves be valueExprs, so NOT and the predicates need parentheses there. In ANTLR's loop a binary
// operator at level p parses its right operand at p + 1, a prefix operator at level q parses its
// operand at q, and the loop goes on with any operator at or above the caller's level. So each printed
// expression carries:
//   MinLoop   - the highest caller level at which it may stand bare: the lowest level among operators
//               applied in its outermost loop (left spine); 7 for a NOT prefix, which only the expr
//               rule accepts;
//   Threshold - an operator at this level or above that follows it would be swallowed by its
//               rightmost open operand instead of applying to it as a whole.

type private Printed = { Text: string; MinLoop: int; Threshold: int }

let private atom text = { Text = text; MinLoop = Int32.MaxValue; Threshold = Int32.MaxValue }

let private parenthesize (p: Printed) = atom ("(" + p.Text + ")")

let private notLevel = 3
let private isNullLevel = 4
let private predicateLevel = 7
let private valueLevel = 8
let private signLevel = 11

let private binaryLevel = BinaryOperator.precedence

/// `p` as an operand where the caller's loop runs at `level`.
let private operandAt (level: int) (p: Printed) = if p.MinLoop < level then parenthesize p else p

/// `p` as the left operand of an operator at `level` (the left spine of the operator's loop).
let private needsParensLeftOf (level: int) (minLoop: int) (threshold: int) =
    level >= threshold || (level >= valueLevel && minLoop < valueLevel)

/// `p` as the left operand of an operator at `level` (the left spine of the operator's loop).
let private leftOf (level: int) (p: Printed) =
    if needsParensLeftOf level p.MinLoop p.Threshold then parenthesize p else p

let private notText (keyword: bool) = if keyword then " NOT" else ""

let rec private exprSqlPrinted (e: Expr) : Printed =
    StackGuard.ensure e.Span
    match e.Kind with
    | Literal l -> atom (literalSql l)
    | ColumnRef(None, name) -> atom (identifierSql name)
    | ColumnRef(Some q, name) -> atom (identifierSql q + "." + identifierSql name)
    | Parameter n -> atom (sprintf "$%d" n)
    | FunctionCall(name, args, distinct, star) ->
        let inside = if star then "*" else (if distinct then "DISTINCT " else "") + commaList exprSql args
        atom (sprintf "%s(%s)" (identifierSql name) inside)
    | Case(operand, whens, elseResult) ->
        let out = StringBuilder("CASE")
        operand |> Option.iter (fun o -> out.Append(' ').Append(exprSql o) |> ignore)
        for w, t in whens do
            out.Append(" WHEN ").Append(exprSql w).Append(" THEN ").Append(exprSql t) |> ignore
        elseResult |> Option.iter (fun x -> out.Append(" ELSE ").Append(exprSql x) |> ignore)
        atom (out.Append(" END").ToString())
    | Cast(operand, t) -> atom (sprintf "CAST(%s AS %s)" (exprSql operand) (typeSql t))
    | Exists(q, false) -> atom ("EXISTS (" + querySql q + ")")
    | Exists(q, true) -> { Text = "NOT EXISTS (" + querySql q + ")"; MinLoop = predicateLevel; Threshold = notLevel }
    | ScalarSubquery q -> atom ("(" + querySql q + ")")
    | Parenthesized inner -> atom ("(" + exprSql inner + ")")
    | Binary(op, left, right) -> binaryPrinted (binaryLevel op) (binarySql op) left right
    | Chain(first, rest) -> chainPrinted first rest
    | IsDistinctFrom(left, right, negated) ->
        binaryPrinted 5 (if negated then "IS NOT DISTINCT FROM" else "IS DISTINCT FROM") left right
    | IsNull(operand, negated) ->
        let a = leftOf isNullLevel (exprSqlPrinted operand)
        { Text = a.Text + (if negated then " IS NOT NULL" else " IS NULL")
          MinLoop = min isNullLevel a.MinLoop
          Threshold = Int32.MaxValue }
    | Between(operand, low, high, negated) ->
        let bound x = operandAt valueLevel (exprSqlPrinted x)
        let a = leftOf predicateLevel (exprSqlPrinted operand)
        let h = bound high
        { Text = sprintf "%s%s BETWEEN %s AND %s" a.Text (notText negated) (bound low).Text h.Text
          MinLoop = min predicateLevel a.MinLoop
          Threshold = min valueLevel h.Threshold }
    | InList(operand, items, negated) ->
        let a = leftOf predicateLevel (exprSqlPrinted operand)
        { Text = sprintf "%s%s IN (%s)" a.Text (notText negated) (commaList exprSql items)
          MinLoop = min predicateLevel a.MinLoop
          Threshold = Int32.MaxValue }
    | InSubquery(operand, q, negated) ->
        let a = leftOf predicateLevel (exprSqlPrinted operand)
        { Text = sprintf "%s%s IN (%s)" a.Text (notText negated) (querySql q)
          MinLoop = min predicateLevel a.MinLoop
          Threshold = Int32.MaxValue }
    | Like(operand, pattern, escape, negated) ->
        let a = leftOf predicateLevel (exprSqlPrinted operand)
        let p = operandAt valueLevel (exprSqlPrinted pattern)
        let last, text =
            match escape with
            | Some x ->
                let x = operandAt valueLevel (exprSqlPrinted x)
                x, sprintf "%s%s LIKE %s ESCAPE %s" a.Text (notText negated) p.Text x.Text
            | None -> p, sprintf "%s%s LIKE %s" a.Text (notText negated) p.Text
        { Text = text; MinLoop = min predicateLevel a.MinLoop; Threshold = min valueLevel last.Threshold }
    | Unary(Not, operand) ->
        let a = exprSqlPrinted operand
        // NOT EXISTS (...) written directly would read back as one negated Exists node.
        let a =
            match operand.Kind with
            | Exists(_, false) -> parenthesize a
            | _ -> operandAt notLevel a
        { Text = "NOT " + a.Text; MinLoop = predicateLevel; Threshold = min notLevel a.Threshold }
    | Unary(op, operand) ->
        let a = operandAt signLevel (exprSqlPrinted operand)
        let sign = if op = Negate then "-" else "+"
        // "--" would start a comment.
        let text = if a.Text.StartsWith '-' || a.Text.StartsWith '+' then sign + " " + a.Text else sign + a.Text
        { Text = text; MinLoop = Int32.MaxValue; Threshold = min signLevel a.Threshold }

and private binaryPrinted (level: int) (op: string) (left: Expr) (right: Expr) : Printed =
    let l = leftOf level (exprSqlPrinted left)
    let r = operandAt (level + 1) (exprSqlPrinted right)
    { Text = sprintf "%s %s %s" l.Text op r.Text
      MinLoop = min level l.MinLoop
      Threshold = min (level + 1) r.Threshold }

/// A chain as the left spine of one operator loop, built in one StringBuilder (the left operand of
/// each step is everything before it).
and private chainPrinted (first: Expr) (rest: (BinaryOperator * Expr) list) : Printed =
    let level = binaryLevel (fst rest.Head)
    let p = exprSqlPrinted first
    let text = StringBuilder(p.Text)
    let mutable minLoop = p.MinLoop
    let mutable threshold = p.Threshold
    for op, operand in rest do
        if needsParensLeftOf level minLoop threshold then
            text.Insert(0, '(').Append(')') |> ignore
            minLoop <- Int32.MaxValue
            threshold <- Int32.MaxValue
        let r = operandAt (level + 1) (exprSqlPrinted operand)
        text.Append(' ').Append(binarySql op).Append(' ').Append(r.Text) |> ignore
        minLoop <- min level minLoop
        threshold <- min (level + 1) r.Threshold
    { Text = text.ToString(); MinLoop = minLoop; Threshold = threshold }

and private exprSql (e: Expr) = (exprSqlPrinted e).Text

and private selectItemSql =
    function
    | AllColumns _ -> "*"
    | TableColumns(t, _) -> identifierSql t + ".*"
    | ExprItem(e, None) -> exprSql e
    | ExprItem(e, Some alias) -> exprSql e + " AS " + identifierSql alias

and private fromSql (item: FromItem) =
    match item with
    | Table t -> identifierSql t.Name + aliasText t.Alias
    | Derived(q, alias, columns, _) ->
        sprintf "(%s) AS %s%s" (querySql q) (identifierSql alias) (columns |> Option.map (fun cs -> " " + columnsSql cs) |> Option.defaultValue "")
    | Join(kind, left, right, condition, _) ->
        // Joins are left-associative: a join on the right needs parentheses.
        let rightText =
            match right with
            | Join _ -> "(" + fromSql right + ")"
            | _ -> fromSql right
        let keyword =
            match kind with
            | InnerJoin -> "JOIN"
            | LeftJoin -> "LEFT JOIN"
            | RightJoin -> "RIGHT JOIN"
            | FullJoin -> "FULL JOIN"
            | CrossJoin -> "CROSS JOIN"
        let conditionText =
            match condition with
            | On e -> " ON " + exprSql e
            | Using columns -> " USING " + columnsSql columns
            | Natural
            | NoCondition -> ""
        sprintf "%s %s%s %s%s" (fromSql left) (if condition = Natural then "NATURAL " else "") keyword rightText conditionText

and private selectSql (s: Select) =
    let out = StringBuilder("SELECT ")
    if s.Distinct then out.Append("DISTINCT ") |> ignore
    out.Append(commaList selectItemSql s.Items) |> ignore
    if not s.From.IsEmpty then out.Append(" FROM ").Append(commaList fromSql s.From) |> ignore
    s.Where |> Option.iter (fun w -> out.Append(" WHERE ").Append(exprSql w) |> ignore)
    if not s.GroupBy.IsEmpty then out.Append(" GROUP BY ").Append(commaList exprSql s.GroupBy) |> ignore
    s.Having |> Option.iter (fun h -> out.Append(" HAVING ").Append(exprSql h) |> ignore)
    out.ToString()

and private rowsSql (rows: Expr list list) = "VALUES " + commaList (fun row -> "(" + commaList exprSql row + ")") rows

/// INTERSECT binds tighter than UNION and EXCEPT, and all are left-associative; a body that needs
/// parentheses is printed as a nested query.
and private bodySql (body: QueryBody) =
    let level =
        function
        | SetOperation(Intersect, _, _, _, _) -> 2
        | SetOperation _ -> 1
        | _ -> Int32.MaxValue
    match body with
    | Specification s -> selectSql s
    | Values(rows, _) -> rowsSql rows
    | Nested q -> "(" + querySql q + ")"
    | SetOperation(op, all, left, right, _) ->
        let p = level body
        let l = if level left < p then "(" + bodySql left + ")" else bodySql left
        let r = if level right <= p then "(" + bodySql right + ")" else bodySql right
        sprintf "%s %s%s %s" l ((setOperatorName op).ToUpperInvariant()) (if all then " ALL" else "") r

and private querySql (q: Query) =
    let out = StringBuilder()
    if not q.With.IsEmpty then
        let cte (c: CommonTableExpr) =
            sprintf "%s%s AS (%s)" (identifierSql c.Name) (c.Columns |> Option.map (fun cs -> " " + columnsSql cs) |> Option.defaultValue "") (querySql c.Query)
        out.Append(if q.Recursive then "WITH RECURSIVE " else "WITH ").Append(commaList cte q.With).Append(' ') |> ignore
    out.Append(bodySql q.Body) |> ignore
    if not q.OrderBy.IsEmpty then
        let order (o: OrderItem) =
            exprSql o.Expr
            + (if o.Descending then " DESC" else "")
            + (match o.NullsFirst with
               | Some true -> " NULLS FIRST"
               | Some false -> " NULLS LAST"
               | None -> "")
        out.Append(" ORDER BY ").Append(commaList order q.OrderBy) |> ignore
    q.Limit |> Option.iter (fun l -> out.Append(" LIMIT ").Append(exprSql l) |> ignore)
    q.Offset |> Option.iter (fun o -> out.Append(" OFFSET ").Append(exprSql o) |> ignore)
    out.ToString()

/// DEFAULT takes a literal, a signed literal or a parenthesised expression; anything else gains parentheses.
let private defaultSql (e: Expr) =
    match e.Kind with
    | Literal _
    | Unary((Negate | Identity), { Kind = Literal _ })
    | Parenthesized _ -> exprSql e
    | _ -> "(" + exprSql e + ")"

let private columnSql (col: ColumnDef) =
    let constraintSql =
        function
        | PrimaryKeyConstraint _ -> "PRIMARY KEY"
        | NotNullConstraint _ -> "NOT NULL"
        | UniqueConstraint _ -> "UNIQUE"
        | DefaultConstraint(e, _) -> "DEFAULT " + defaultSql e
        | CheckConstraint(e, _) -> "CHECK (" + exprSql e + ")"
        | ReferencesConstraint r -> referenceSql r
    identifierSql col.Name + " " + typeSql col.Type + (col.Constraints |> List.map (fun c -> " " + constraintSql c) |> String.concat "")

let private tableConstraintSql =
    function
    | PrimaryKeyTableConstraint(columns, _) -> "PRIMARY KEY " + columnsSql columns
    | UniqueTableConstraint(columns, _) -> "UNIQUE " + columnsSql columns
    | CheckTableConstraint(e, _) -> "CHECK (" + exprSql e + ")"
    | ForeignKeyTableConstraint(columns, r, _) -> sprintf "FOREIGN KEY %s %s" (columnsSql columns) (referenceSql r)

let private returningSql (items: SelectItem list) =
    if items.IsEmpty then "" else " RETURNING " + commaList selectItemSql items

let private optionalSql (prefix: string) (f: 'a -> string) (value: 'a option) =
    value |> Option.map (fun v -> prefix + f v) |> Option.defaultValue ""

/// SQL text (no trailing ';') that parses back to the same Ast ignoring spans. Shapes with no text of
/// their own are printed as the nearest text: a QuerySource holding a bare VALUES query reads back as
/// ValuesSource, and a CROSS JOIN with a condition as an inner join.
let rec toSql (statement: Statement) : string =
    match statement.Kind with
    | Select q -> querySql q
    | CreateTable c ->
        sprintf
            "CREATE TABLE %s%s (%s)"
            (ifExistsText c.IfNotExists "IF NOT EXISTS")
            (identifierSql c.Name)
            ((c.Columns |> List.map columnSql) @ (c.Constraints |> List.map tableConstraintSql) |> String.concat ", ")
    | DropTable(name, ifExists) -> sprintf "DROP TABLE %s%s" (ifExistsText ifExists "IF EXISTS") (identifierSql name)
    | CreateIndex i ->
        let column (c: IndexColumn) = identifierSql c.Column + (if c.Descending then " DESC" else "")
        sprintf
            "CREATE %sINDEX %s%s ON %s (%s)"
            (if i.Unique then "UNIQUE " else "")
            (ifExistsText i.IfNotExists "IF NOT EXISTS")
            (identifierSql i.Name)
            (identifierSql i.Table)
            (commaList column i.Columns)
    | DropIndex(name, ifExists) -> sprintf "DROP INDEX %s%s" (ifExistsText ifExists "IF EXISTS") (identifierSql name)
    | CreateView v ->
        sprintf
            "CREATE VIEW %s%s%s AS %s"
            (ifExistsText v.IfNotExists "IF NOT EXISTS")
            (identifierSql v.Name)
            (optionalSql " " columnsSql v.Columns)
            (querySql v.Query)
    | DropView(name, ifExists) -> sprintf "DROP VIEW %s%s" (ifExistsText ifExists "IF EXISTS") (identifierSql name)
    | AlterTable(table, action) ->
        let actionText =
            match action with
            | AddColumn col -> "ADD COLUMN " + columnSql col
            | RenameColumn(oldName, newName) -> sprintf "RENAME COLUMN %s TO %s" (identifierSql oldName) (identifierSql newName)
            | RenameTable newName -> "RENAME TO " + identifierSql newName
        sprintf "ALTER TABLE %s %s" (identifierSql table) actionText
    | Insert i ->
        let source =
            match i.Source with
            | ValuesSource rows -> rowsSql rows
            | QuerySource q -> querySql q
            | DefaultValues -> "DEFAULT VALUES"
        sprintf "INSERT INTO %s%s %s%s" (identifierSql i.Table) (optionalSql " " columnsSql i.Columns) source (returningSql i.Returning)
    | Update u ->
        let assignment (column: Identifier, value: Expr) = identifierSql column + " = " + exprSql value
        sprintf
            "UPDATE %s%s SET %s%s%s%s"
            (identifierSql u.Table.Name)
            (aliasText u.Table.Alias)
            (commaList assignment u.Assignments)
            (if u.From.IsEmpty then "" else " FROM " + commaList fromSql u.From)
            (optionalSql " WHERE " exprSql u.Where)
            (returningSql u.Returning)
    | Delete d ->
        sprintf
            "DELETE FROM %s%s%s%s"
            (identifierSql d.Table.Name)
            (aliasText d.Table.Alias)
            (optionalSql " WHERE " exprSql d.Where)
            (returningSql d.Returning)
    | Begin -> "BEGIN"
    | Commit -> "COMMIT"
    | Rollback -> "ROLLBACK"
    | Checkpoint -> "CHECKPOINT"
    | Analyze table -> "ANALYZE" + optionalSql " " identifierSql table
    | Explain(analyze, inner) -> (if analyze then "EXPLAIN ANALYZE " else "EXPLAIN ") + toSql inner
