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

let private binarySql =
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

let private spanText (s: Span) = sprintf "@%d:%d-%d:%d" s.Start.Line s.Start.Column s.End.Line s.End.Column

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
    | Unary(op, _) -> sprintf "Unary %A" op
    | Binary(op, _, _) -> sprintf "Binary %A" op
    | IsNull(_, false) -> "IsNull"
    | IsNull(_, true) -> "IsNotNull"
    | FunctionCall(name, _, _, true) -> sprintf "FunctionCall %s(*)" (identifierSql name)
    | FunctionCall(name, _, true, _) -> sprintf "FunctionCall %s DISTINCT" (identifierSql name)
    | FunctionCall(name, _, false, _) -> "FunctionCall " + identifierSql name
    | Parenthesized _ -> "Parenthesized"

let private exprChildren (e: Expr) =
    match e.Kind with
    | Literal _
    | ColumnRef _ -> []
    | Unary(_, a)
    | IsNull(a, _)
    | Parenthesized a -> [ a ]
    | Binary(_, l, r) -> [ l; r ]
    | FunctionCall(_, args, _, _) -> args

/// Writes `label` + the expression's node line, then its children one level deeper.
let rec private writeExpr (out: StringBuilder) (indent: int) (label: string) (e: Expr) =
    out.Append(' ', indent).Append(label).Append(exprHeader e).Append(' ').Append(spanText e.Span).Append('\n') |> ignore
    for child in exprChildren e do
        writeExpr out (indent + 2) "" child

let private line (out: StringBuilder) (indent: int) (text: string) = out.Append(' ', indent).Append(text).Append('\n') |> ignore

let private writeSelect (out: StringBuilder) (s: Select) =
    for item in s.Items do
        match item with
        | AllColumns span -> line out 2 ("Item: * " + spanText span)
        | TableColumns(table, span) -> line out 2 (sprintf "Item: %s.* %s" (identifierSql table) (spanText span))
        | ExprItem(e, None) -> writeExpr out 2 "Item: " e
        | ExprItem(e, Some alias) -> writeExpr out 2 (sprintf "Item AS %s: " (identifierSql alias)) e
    match s.From with
    | Some t ->
        let alias = t.Alias |> Option.map (fun a -> " AS " + identifierSql a) |> Option.defaultValue ""
        line out 2 (sprintf "From: %s%s %s" (identifierSql t.Name) alias (spanText t.Span))
    | None -> ()
    s.Where |> Option.iter (writeExpr out 2 "Where: ")
    for o in s.OrderBy do
        writeExpr out 2 (if o.Descending then "OrderBy DESC: " else "OrderBy: ") o.Expr
    s.Limit |> Option.iter (writeExpr out 2 "Limit: ")
    s.Offset |> Option.iter (writeExpr out 2 "Offset: ")

/// Deterministic indented tree, one node per line with its span `@line:col-line:col` (end exclusive).
let printStatement (statement: Statement) : string =
    let out = StringBuilder()
    match statement.Kind with
    | Select s ->
        line out 0 ("Select " + spanText statement.Span)
        writeSelect out s
    | CreateTable c ->
        line out 0 (sprintf "CreateTable %s %s" (identifierSql c.Name) (spanText statement.Span))
        if c.IfNotExists then line out 2 "IfNotExists"
        for col in c.Columns do
            let flags = (if col.PrimaryKey then " PRIMARY KEY" else "") + (if col.NotNull then " NOT NULL" else "")
            line out 2 (sprintf "Column: %s %s%s %s" (identifierSql col.Name) (typeSql col.Type) flags (spanText col.Span))
        match c.PrimaryKey with
        | Some(columns, span) ->
            line out 2 (sprintf "PrimaryKey: (%s) %s" (columns |> List.map identifierSql |> String.concat ", ") (spanText span))
        | None -> ()
    | DropTable(name, ifExists) ->
        line out 0 (sprintf "DropTable %s%s %s" (if ifExists then "IF EXISTS " else "") (identifierSql name) (spanText statement.Span))
    | Insert i ->
        line out 0 (sprintf "Insert %s %s" (identifierSql i.Table) (spanText statement.Span))
        match i.Columns with
        | Some columns -> line out 2 (sprintf "Columns: (%s)" (columns |> List.map identifierSql |> String.concat ", "))
        | None -> ()
        i.Rows
        |> List.iteri (fun n row ->
            line out 2 (sprintf "Row %d" (n + 1))
            for e in row do
                writeExpr out 4 "" e)
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

let private writeIdentifierValue (w: Utf8JsonWriter) (id: Identifier) =
    w.WriteStartObject()
    w.WriteString("name", id.Name)
    w.WriteBoolean("quoted", id.Quoted)
    writeSpan w id.Span
    w.WriteEndObject()

let private writeIdentifier (w: Utf8JsonWriter) (name: string) (id: Identifier) =
    w.WritePropertyName name
    writeIdentifierValue w id

let private writeIdentifiers (w: Utf8JsonWriter) (name: string) (ids: Identifier list) =
    w.WriteStartArray name
    ids |> List.iter (writeIdentifierValue w)
    w.WriteEndArray()

let rec private jsonExprValue (w: Utf8JsonWriter) (e: Expr) =
    w.WriteStartObject()
    let kind (name: string) = w.WriteString("kind", name)
    match e.Kind with
    | Literal l ->
        kind "Literal"
        writeSpan w e.Span
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
    | ColumnRef(qualifier, name) ->
        kind "ColumnRef"
        writeSpan w e.Span
        match qualifier with
        | Some q -> writeIdentifier w "qualifier" q
        | None -> w.WriteNull "qualifier"
        writeIdentifier w "name" name
    | Unary(op, operand) ->
        kind "Unary"
        writeSpan w e.Span
        w.WriteString("operator", sprintf "%A" op)
        jsonExpr w "operand" operand
    | Binary(op, left, right) ->
        kind "Binary"
        writeSpan w e.Span
        w.WriteString("operator", sprintf "%A" op)
        jsonExpr w "left" left
        jsonExpr w "right" right
    | IsNull(operand, negated) ->
        kind "IsNull"
        writeSpan w e.Span
        w.WriteBoolean("negated", negated)
        jsonExpr w "operand" operand
    | FunctionCall(name, args, distinct, star) ->
        kind "FunctionCall"
        writeSpan w e.Span
        writeIdentifier w "name" name
        w.WriteBoolean("distinct", distinct)
        w.WriteBoolean("star", star)
        w.WriteStartArray "arguments"
        args |> List.iter (jsonExprValue w)
        w.WriteEndArray()
    | Parenthesized inner ->
        kind "Parenthesized"
        writeSpan w e.Span
        jsonExpr w "expr" inner
    w.WriteEndObject()

and private jsonExpr (w: Utf8JsonWriter) (name: string) (e: Expr) =
    w.WritePropertyName name
    jsonExprValue w e

let private jsonOptionalExpr (w: Utf8JsonWriter) (name: string) (e: Expr option) =
    match e with
    | Some e -> jsonExpr w name e
    | None -> w.WriteNull name

let private writeSelectJson (w: Utf8JsonWriter) (s: Select) =
    w.WriteStartArray "items"
    for item in s.Items do
        w.WriteStartObject()
        match item with
        | AllColumns span ->
            w.WriteString("kind", "AllColumns")
            writeSpan w span
        | TableColumns(table, span) ->
            w.WriteString("kind", "TableColumns")
            writeSpan w span
            writeIdentifier w "table" table
        | ExprItem(e, alias) ->
            w.WriteString("kind", "ExprItem")
            jsonExpr w "expr" e
            match alias with
            | Some a -> writeIdentifier w "alias" a
            | None -> w.WriteNull "alias"
        w.WriteEndObject()
    w.WriteEndArray()
    match s.From with
    | Some t ->
        w.WriteStartObject "from"
        writeSpan w t.Span
        writeIdentifier w "name" t.Name
        match t.Alias with
        | Some a -> writeIdentifier w "alias" a
        | None -> w.WriteNull "alias"
        w.WriteEndObject()
    | None -> w.WriteNull "from"
    jsonOptionalExpr w "where" s.Where
    w.WriteStartArray "orderBy"
    for o in s.OrderBy do
        w.WriteStartObject()
        writeSpan w o.Span
        jsonExpr w "expr" o.Expr
        w.WriteBoolean("descending", o.Descending)
        w.WriteEndObject()
    w.WriteEndArray()
    jsonOptionalExpr w "limit" s.Limit
    jsonOptionalExpr w "offset" s.Offset

/// The same tree as JSON: indented, keys always in the same order, every node with its span.
let toJson (statement: Statement) : string =
    use stream = new MemoryStream()
    (use w = new Utf8JsonWriter(stream, JsonWriterOptions(Indented = true))
     w.WriteStartObject()
     match statement.Kind with
     | Select s ->
         w.WriteString("kind", "Select")
         writeSpan w statement.Span
         writeSelectJson w s
     | CreateTable c ->
         w.WriteString("kind", "CreateTable")
         writeSpan w statement.Span
         writeIdentifier w "name" c.Name
         w.WriteBoolean("ifNotExists", c.IfNotExists)
         w.WriteStartArray "columns"
         for col in c.Columns do
             w.WriteStartObject()
             writeSpan w col.Span
             writeIdentifier w "name" col.Name
             w.WriteStartObject "type"
             w.WriteString("name", col.Type.Name)
             w.WriteStartArray "arguments"
             col.Type.Arguments |> List.iter (fun a -> w.WriteNumberValue a)
             w.WriteEndArray()
             writeSpan w col.Type.Span
             w.WriteEndObject()
             w.WriteBoolean("primaryKey", col.PrimaryKey)
             w.WriteBoolean("notNull", col.NotNull)
             w.WriteEndObject()
         w.WriteEndArray()
         match c.PrimaryKey with
         | Some(columns, span) ->
             w.WriteStartObject "primaryKey"
             writeSpan w span
             writeIdentifiers w "columns" columns
             w.WriteEndObject()
         | None -> w.WriteNull "primaryKey"
     | DropTable(name, ifExists) ->
         w.WriteString("kind", "DropTable")
         writeSpan w statement.Span
         writeIdentifier w "name" name
         w.WriteBoolean("ifExists", ifExists)
     | Insert i ->
         w.WriteString("kind", "Insert")
         writeSpan w statement.Span
         writeIdentifier w "table" i.Table
         match i.Columns with
         | Some columns -> writeIdentifiers w "columns" columns
         | None -> w.WriteNull "columns"
         w.WriteStartArray "rows"
         for row in i.Rows do
             w.WriteStartArray()
             row |> List.iter (jsonExprValue w)
             w.WriteEndArray()
         w.WriteEndArray()
     w.WriteEndObject())
    Encoding.UTF8.GetString(stream.ToArray())

// ---- SQL ----------------------------------------------------------------------------------------

// Parentheses follow the grammar's precedence climbing exactly (FoundrySql.g4, rule expr), so text
// printed from a parsed Ast reparses to the same Ast, Parenthesized nodes included, and a
// synthesised Ast gains parentheses only where its shape needs them. Levels, tightest last:
// OR 1, AND 2, NOT 3 (prefix), IS NULL 4 (suffix), comparisons 5, || 6, + - 7, * / % 8, unary 9.
// In ANTLR's loop a binary operator at level p parses its right operand at p + 1, a prefix operator
// at level q parses its operand at q, and the loop goes on with any operator at or above the
// caller's level. So each printed expression carries:
//   MinLoop   - the lowest level among operators applied in its outermost loop (left spine); bare, it
//               is only valid where the caller's level is at most this;
//   Threshold - an operator at this level or above that follows it would be swallowed by its
//               rightmost open operand instead of applying to it as a whole.

type private Printed = { Text: string; MinLoop: int; Threshold: int }

let private atom text = { Text = text; MinLoop = Int32.MaxValue; Threshold = Int32.MaxValue }

let private parenthesize (p: Printed) = atom ("(" + p.Text + ")")

let private binaryLevel =
    function
    | Or -> 1
    | And -> 2
    | Equal
    | NotEqual
    | Less
    | LessOrEqual
    | Greater
    | GreaterOrEqual -> 5
    | Concat -> 6
    | Add
    | Subtract -> 7
    | Multiply
    | Divide
    | Modulo -> 8

let private isNullLevel = 4

let rec private exprSqlPrinted (e: Expr) : Printed =
    match e.Kind with
    | Literal l -> atom (literalSql l)
    | ColumnRef(None, name) -> atom (identifierSql name)
    | ColumnRef(Some q, name) -> atom (identifierSql q + "." + identifierSql name)
    | FunctionCall(name, args, distinct, star) ->
        let inside =
            if star then "*"
            else (if distinct then "DISTINCT " else "") + (args |> List.map exprSql |> String.concat ", ")
        atom (sprintf "%s(%s)" (identifierSql name) inside)
    | Parenthesized inner -> atom ("(" + exprSql inner + ")")
    | Binary(op, left, right) ->
        let p = binaryLevel op
        let l = exprSqlPrinted left
        let l = if p >= l.Threshold then parenthesize l else l
        let r = exprSqlPrinted right
        let r = if r.MinLoop < p + 1 then parenthesize r else r
        { Text = sprintf "%s %s %s" l.Text (binarySql op) r.Text
          MinLoop = min p l.MinLoop
          Threshold = min (p + 1) r.Threshold }
    | IsNull(operand, negated) ->
        let a = exprSqlPrinted operand
        let a = if isNullLevel >= a.Threshold then parenthesize a else a
        { Text = a.Text + (if negated then " IS NOT NULL" else " IS NULL")
          MinLoop = min isNullLevel a.MinLoop
          Threshold = Int32.MaxValue }
    | Unary(op, operand) ->
        let q = if op = Not then 3 else 9
        let a = exprSqlPrinted operand
        let a = if a.MinLoop < q then parenthesize a else a
        let text =
            match op with
            | Not -> "NOT " + a.Text
            | Negate
            | Identity ->
                let sign = if op = Negate then "-" else "+"
                // "--" would start a comment.
                if a.Text.StartsWith '-' || a.Text.StartsWith '+' then sign + " " + a.Text else sign + a.Text
        { Text = text; MinLoop = Int32.MaxValue; Threshold = min q a.Threshold }

and private exprSql (e: Expr) = (exprSqlPrinted e).Text

let private commaList f xs = xs |> List.map f |> String.concat ", "

let private selectSql (s: Select) =
    let out = StringBuilder("SELECT ")
    let item =
        function
        | AllColumns _ -> "*"
        | TableColumns(t, _) -> identifierSql t + ".*"
        | ExprItem(e, None) -> exprSql e
        | ExprItem(e, Some alias) -> exprSql e + " AS " + identifierSql alias
    out.Append(commaList item s.Items) |> ignore
    match s.From with
    | Some t ->
        out.Append(" FROM ").Append(identifierSql t.Name) |> ignore
        t.Alias |> Option.iter (fun a -> out.Append(" AS ").Append(identifierSql a) |> ignore)
    | None -> ()
    s.Where |> Option.iter (fun w -> out.Append(" WHERE ").Append(exprSql w) |> ignore)
    if not s.OrderBy.IsEmpty then
        let order (o: OrderItem) = exprSql o.Expr + (if o.Descending then " DESC" else "")
        out.Append(" ORDER BY ").Append(commaList order s.OrderBy) |> ignore
    s.Limit |> Option.iter (fun l -> out.Append(" LIMIT ").Append(exprSql l) |> ignore)
    s.Offset |> Option.iter (fun o -> out.Append(" OFFSET ").Append(exprSql o) |> ignore)
    out.ToString()

/// SQL text (no trailing ';') that parses back to the same Ast ignoring spans. OFFSET without LIMIT
/// has no syntax yet, so such a synthesised Select prints text the parser rejects.
let toSql (statement: Statement) : string =
    match statement.Kind with
    | Select s -> selectSql s
    | CreateTable c ->
        let column (col: ColumnDef) =
            identifierSql col.Name + " " + typeSql col.Type
            + (if col.PrimaryKey then " PRIMARY KEY" else "")
            + (if col.NotNull then " NOT NULL" else "")
        let key =
            match c.PrimaryKey with
            | Some(columns, _) -> [ sprintf "PRIMARY KEY (%s)" (commaList identifierSql columns) ]
            | None -> []
        sprintf
            "CREATE TABLE %s%s (%s)"
            (if c.IfNotExists then "IF NOT EXISTS " else "")
            (identifierSql c.Name)
            ((c.Columns |> List.map column) @ key |> String.concat ", ")
    | DropTable(name, ifExists) -> sprintf "DROP TABLE %s%s" (if ifExists then "IF EXISTS " else "") (identifierSql name)
    | Insert i ->
        let columns =
            match i.Columns with
            | Some cs -> sprintf " (%s)" (commaList identifierSql cs)
            | None -> ""
        let row r = "(" + commaList exprSql r + ")"
        sprintf "INSERT INTO %s%s VALUES %s" (identifierSql i.Table) columns (commaList row i.Rows)
