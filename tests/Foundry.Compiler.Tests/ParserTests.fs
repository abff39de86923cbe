/// Parser: every statement form, expression precedence, spans, diagnostics with exact locations, and
/// the shell's statement-completeness check.
module Foundry.Compiler.Tests.ParserTests

open System
open System.Text.Json
open Xunit
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Syntax.Ast

// ---- helpers ------------------------------------------------------------------------------------

let parseOk (sql: string) : Statement =
    match Parser.parseStatement sql with
    | Ok s -> s
    | Result.Error ds -> failwithf "expected %A to parse, got %s" sql (ds |> List.map (DiagnosticRenderer.render "" sql) |> String.concat "\n")

let parseError (sql: string) : Diagnostic =
    match Parser.parseScript sql with
    | Ok ss -> failwithf "expected %A to fail, got %A" sql ss
    | Result.Error [ d ] -> d
    | Result.Error ds -> failwithf "expected one diagnostic for %A, got %A" sql ds

let selectOf (s: Statement) =
    match s.Kind with
    | Select sel -> sel
    | k -> failwithf "expected a SELECT, got %A" k

let private identText (i: Identifier) = if i.Quoted then "\"" + i.Name + "\"" else i.Name

/// A compact prefix rendering of an expression, so precedence tests read as one string.
let rec shape (e: Expr) =
    match e.Kind with
    | Literal(IntegerLiteral v) -> string v
    | Literal(RealLiteral v) -> sprintf "%sr" (v.ToString("R", Globalization.CultureInfo.InvariantCulture))
    | Literal(StringLiteral v) -> sprintf "'%s'" v
    | Literal(BooleanLiteral v) -> if v then "TRUE" else "FALSE"
    | Literal NullLiteral -> "NULL"
    | ColumnRef(None, n) -> identText n
    | ColumnRef(Some q, n) -> identText q + "." + identText n
    | Unary(Negate, a) -> sprintf "(neg %s)" (shape a)
    | Unary(Identity, a) -> sprintf "(pos %s)" (shape a)
    | Unary(Not, a) -> sprintf "(NOT %s)" (shape a)
    | Binary(op, l, r) ->
        let text =
            match op with
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
        sprintf "(%s %s %s)" text (shape l) (shape r)
    | IsNull(a, false) -> sprintf "(isnull %s)" (shape a)
    | IsNull(a, true) -> sprintf "(isnotnull %s)" (shape a)
    | FunctionCall(n, _, _, true) -> sprintf "(call %s *)" (identText n)
    | FunctionCall(n, args, distinct, false) ->
        let args = args |> List.map shape |> String.concat " "
        sprintf "(call %s%s%s%s)" (identText n) (if distinct then " DISTINCT" else "") (if args = "" then "" else " ") args
    | Parenthesized a -> sprintf "[%s]" (shape a)

/// The one select-list expression of `SELECT <text>`.
let parseExpr (text: string) =
    match (selectOf (parseOk ("SELECT " + text))).Items with
    | [ ExprItem(e, None) ] -> e
    | items -> failwithf "expected one expression item, got %A" items

let spanOf (s: Span) = sprintf "%d:%d-%d:%d" s.Start.Line s.Start.Column s.End.Line s.End.Column

let assertDiagnostic (code: int) (line: int) (column: int) (fragment: string) (d: Diagnostic) =
    Assert.Equal(sprintf "FND%04d %d:%d" code line column, sprintf "%s %d:%d" d.CodeText d.Span.Start.Line d.Span.Start.Column)
    Assert.Contains(fragment, d.Message)

// ---- expressions --------------------------------------------------------------------------------

[<Theory>]
[<InlineData("1+2*3", "(+ 1 (* 2 3))")>]
[<InlineData("1*2+3", "(+ (* 1 2) 3)")>]
[<InlineData("1-2-3", "(- (- 1 2) 3)")>]
[<InlineData("8/4/2", "(/ (/ 8 4) 2)")>]
[<InlineData("a % b * c", "(* (% a b) c)")>]
[<InlineData("(1+2)*3", "(* [(+ 1 2)] 3)")>]
[<InlineData("NOT a = b AND c", "(AND (NOT (= a b)) c)")>]
[<InlineData("a OR b AND c", "(OR a (AND b c))")>]
[<InlineData("a AND b OR c AND d", "(OR (AND a b) (AND c d))")>]
[<InlineData("NOT NOT a", "(NOT (NOT a))")>]
[<InlineData("a || b = c", "(= (|| a b) c)")>]
[<InlineData("a || b + c", "(|| a (+ b c))")>]
[<InlineData("a || b || c", "(|| (|| a b) c)")>]
[<InlineData("-a * b", "(* (neg a) b)")>]
[<InlineData("-1", "(neg 1)")>]
[<InlineData("- -1", "(neg (neg 1))")>]
[<InlineData("+a - -b", "(- (pos a) (neg b))")>]
[<InlineData("a = b IS NULL", "(isnull (= a b))")>]
[<InlineData("a IS NOT NULL AND b IS NULL", "(AND (isnotnull a) (isnull b))")>]
[<InlineData("NOT a IS NULL", "(NOT (isnull a))")>]
[<InlineData("a + 1 IS NULL", "(isnull (+ a 1))")>]
[<InlineData("a == b", "(= a b)")>]
[<InlineData("a != b", "(<> a b)")>]
[<InlineData("a <> b", "(<> a b)")>]
[<InlineData("a < b", "(< a b)")>]
[<InlineData("a <= b", "(<= a b)")>]
[<InlineData("a > b", "(> a b)")>]
[<InlineData("a >= b", "(>= a b)")>]
[<InlineData("a < b + 1 AND c", "(AND (< a (+ b 1)) c)")>]
[<InlineData("count(*)", "(call count *)")>]
[<InlineData("COUNT(DISTINCT x)", "(call COUNT DISTINCT x)")>]
[<InlineData("f(1, a + 2)", "(call f 1 (+ a 2))")>]
[<InlineData("now()", "(call now)")>]
[<InlineData("t.a + \"T\".\"Mixed\"\"Q\"", "(+ t.a \"T\".\"Mixed\"Q\")")>]
[<InlineData("key", "key")>]
let ``expression precedence and shapes`` (sql: string, expected: string) = Assert.Equal(expected, shape (parseExpr sql))

[<Theory>]
[<InlineData("42", "42")>]
[<InlineData("9223372036854775807", "9223372036854775807")>]
[<InlineData("9223372036854775808", "9.223372036854776E+18r")>]
[<InlineData("1.5", "1.5r")>]
[<InlineData(".5", "0.5r")>]
[<InlineData("2.", "2r")>]
[<InlineData("1e3", "1000r")>]
[<InlineData("2.5E-1", "0.25r")>]
[<InlineData("'it''s'", "'it's'")>]
[<InlineData("''", "''")>]
[<InlineData("TRUE", "TRUE")>]
[<InlineData("false", "FALSE")>]
[<InlineData("NuLl", "NULL")>]
let ``literals`` (sql: string, expected: string) = Assert.Equal(expected, shape (parseExpr sql))

[<Fact>]
let ``unary minus on a literal is kept, not folded`` () =
    match (parseExpr "-5").Kind with
    | Unary(Negate, { Kind = Literal(IntegerLiteral 5L) }) -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``quoted identifiers keep case and are marked quoted`` () =
    match (parseExpr "\"Select\"").Kind with
    | ColumnRef(None, { Name = "Select"; Quoted = true }) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseExpr "Abc").Kind with
    | ColumnRef(None, { Name = "Abc"; Quoted = false }) -> ()
    | k -> failwithf "unexpected %A" k

// ---- statements ---------------------------------------------------------------------------------

[<Fact>]
let ``SELECT with every clause`` () =
    let s = selectOf (parseOk "SELECT *, t.*, a, b AS x, c y FROM tab AS t WHERE a > 1 ORDER BY a, b DESC, c ASC LIMIT 10 OFFSET 5")
    match s.Items with
    | [ AllColumns _; TableColumns({ Name = "t" }, _); ExprItem(a, None); ExprItem(b, Some { Name = "x" }); ExprItem(c, Some { Name = "y" }) ] ->
        Assert.Equal<string list>([ "a"; "b"; "c" ], [ shape a; shape b; shape c ])
    | items -> failwithf "unexpected items %A" items
    match s.From with
    | Some { Name = { Name = "tab" }; Alias = Some { Name = "t" } } -> ()
    | f -> failwithf "unexpected FROM %A" f
    Assert.Equal("(> a 1)", shape s.Where.Value)
    Assert.Equal<(string * bool) list>([ "a", false; "b", true; "c", false ], s.OrderBy |> List.map (fun o -> shape o.Expr, o.Descending))
    Assert.Equal("10", shape s.Limit.Value)
    Assert.Equal("5", shape s.Offset.Value)

[<Fact>]
let ``SELECT without FROM and table alias without AS`` () =
    let s = selectOf (parseOk "select 1+1")
    Assert.True(s.From.IsNone && s.Where.IsNone && s.OrderBy.IsEmpty && s.Limit.IsNone && s.Offset.IsNone)
    Assert.Equal("(+ 1 1)", shape (parseExpr "1+1"))
    let s = selectOf (parseOk "SELECT a FROM t x LIMIT 1")
    Assert.Equal(Some "x", s.From.Value.Alias |> Option.map (fun a -> a.Name))
    Assert.True(s.Offset.IsNone)

[<Fact>]
let ``CREATE TABLE with column and table constraints`` () =
    let sql = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, price DECIMAL(10, 2) NULL, ratio DOUBLE PRECISION, k INT NOT NULL PRIMARY KEY, PRIMARY KEY (id, \"K\"))"
    match (parseOk sql).Kind with
    | CreateTable c ->
        Assert.Equal("t", c.Name.Name)
        Assert.True c.IfNotExists
        let cols = c.Columns |> List.map (fun col -> col.Name.Name, col.Type.Name, col.Type.Arguments, col.PrimaryKey, col.NotNull)
        Assert.Equal<(string * string * int list * bool * bool) list>(
            [ "id", "INTEGER", [], true, false
              "name", "VARCHAR", [ 30 ], false, true
              "price", "DECIMAL", [ 10; 2 ], false, false
              "ratio", "DOUBLE PRECISION", [], false, false
              "k", "INT", [], true, true ],
            cols
        )
        match c.PrimaryKey with
        | Some([ { Name = "id"; Quoted = false }; { Name = "K"; Quoted = true } ], span) -> Assert.Equal("1:161-1:182", spanOf span)
        | pk -> failwithf "unexpected primary key %A" pk
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``CREATE TABLE without IF NOT EXISTS`` () =
    match (parseOk "create table T (a int)").Kind with
    | CreateTable { Name = { Name = "T" }; IfNotExists = false; Columns = [ _ ]; PrimaryKey = None } -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``DROP TABLE with and without IF EXISTS`` () =
    match (parseOk "DROP TABLE t").Kind, (parseOk "drop table if exists \"T\"").Kind with
    | DropTable({ Name = "t" }, false), DropTable({ Name = "T"; Quoted = true }, true) -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``INSERT with and without a column list`` () =
    match (parseOk "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, NULL)").Kind with
    | Insert { Table = { Name = "t" }; Columns = Some [ { Name = "a" }; { Name = "b" } ]; Rows = rows } ->
        Assert.Equal<string list list>([ [ "1"; "'x'" ]; [ "(neg 2)"; "NULL" ] ], rows |> List.map (List.map shape))
    | k -> failwithf "unexpected %A" k
    match (parseOk "insert into t values (1)").Kind with
    | Insert { Columns = None; Rows = [ [ _ ] ] } -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``scripts skip empty statements, comments and keyword case`` () =
    let sql = ";; -- leading comment\nselect 1;;\n/* block ; comment */ SeLeCt 2 ; ; DROP table t;"
    match Parser.parseScript sql with
    | Ok [ a; b; c ] ->
        Assert.Equal("1", shape (parseExpr "1"))
        Assert.True((match a.Kind, b.Kind, c.Kind with
                     | Select _, Select _, DropTable _ -> true
                     | _ -> false))
        Assert.Equal("2:1-2:9", spanOf a.Span)
        Assert.Equal("3:23-3:31", spanOf b.Span)
    | r -> failwithf "unexpected %A" r
    Assert.Equal(Ok [], Parser.parseScript "")
    Assert.Equal(Ok [], Parser.parseScript " ; -- nothing\n ;")

[<Fact>]
let ``parseStatement allows one trailing semicolon`` () =
    parseOk "SELECT 1;" |> ignore
    parseOk "SELECT 1 ; -- done" |> ignore

[<Fact>]
let ``parseStatement rejects two statements at the second`` () =
    match Parser.parseStatement "SELECT 1;\n  SELECT 2" with
    | Result.Error [ d ] -> assertDiagnostic 1 2 3 "'SELECT'" d
    | r -> failwithf "unexpected %A" r

[<Fact>]
let ``parseStatement on empty input is FND0004`` () =
    for sql in [ ""; "  ;  "; "-- only a comment" ] do
        match Parser.parseStatement sql with
        | Result.Error [ d ] -> Assert.Equal("FND0004", d.CodeText)
        | r -> failwithf "unexpected %A" r

// ---- spans --------------------------------------------------------------------------------------

[<Fact>]
let ``spans run from the first to just after the last token`` () =
    let st = parseOk "SELECT a FROM t"
    Assert.Equal("1:1-1:16", spanOf st.Span)
    Assert.Equal(0, st.Span.Start.Offset)
    Assert.Equal(15, st.Span.End.Offset)
    let s = selectOf st
    Assert.Equal("1:1-1:16", spanOf s.Span)
    match s.Items with
    | [ ExprItem(e, None) ] -> Assert.Equal("1:8-1:9", spanOf e.Span)
    | items -> failwithf "unexpected %A" items
    Assert.Equal("1:15-1:16", spanOf s.From.Value.Span)

[<Fact>]
let ``spans across lines`` () =
    let s = selectOf (parseOk "SELECT a + b\n  FROM t AS x\n WHERE (c)\n ORDER BY d DESC")
    match s.Items with
    | [ ExprItem(e, None) ] -> Assert.Equal("1:8-1:13", spanOf e.Span)
    | items -> failwithf "unexpected %A" items
    Assert.Equal("2:8-2:14", spanOf s.From.Value.Span)
    Assert.Equal("3:8-3:11", spanOf s.Where.Value.Span)
    Assert.Equal("4:11-4:17", spanOf s.OrderBy.Head.Span)
    Assert.Equal("1:1-4:17", spanOf s.Span)
    Assert.Equal(s.Where.Value.Span.Start.Offset, "SELECT a + b\n  FROM t AS x\n WHERE ".Length)

[<Fact>]
let ``printStatement shows one node per line with spans`` () =
    let expected =
        [ "Select @1:1-1:29"
          "  Item: ColumnRef a @1:8-1:9"
          "  From: t @1:15-1:16"
          "  Where: Binary Equal @1:23-1:29"
          "    ColumnRef a @1:23-1:24"
          "    Unary Negate @1:27-1:29"
          "      Literal Integer 1 @1:28-1:29" ]
        |> String.concat "\n"
    Assert.Equal(expected, AstPrinter.printStatement (parseOk "SELECT a FROM t WHERE a = -1"))

[<Fact>]
let ``toJson writes kind, span and children`` () =
    use doc = JsonDocument.Parse(AstPrinter.toJson (parseOk "SELECT a AS b FROM t ORDER BY a DESC"))
    let root = doc.RootElement
    Assert.Equal("Select", root.GetProperty("kind").GetString())
    Assert.Equal(1, root.GetProperty("span").GetProperty("start").GetProperty("column").GetInt32())
    let item = (root.GetProperty "items")[0]
    Assert.Equal("ColumnRef", item.GetProperty("expr").GetProperty("kind").GetString())
    Assert.Equal("b", item.GetProperty("alias").GetProperty("name").GetString())
    let order = (root.GetProperty "orderBy")[0]
    Assert.True(order.GetProperty("descending").GetBoolean())
    Assert.Equal(JsonValueKind.Null, root.GetProperty("where").ValueKind)

// ---- diagnostics --------------------------------------------------------------------------------

[<Fact>]
let ``misspelt keyword points at it`` () =
    let d = parseError "SELEC 1"
    assertDiagnostic 1 1 1 "syntax error at 'SELEC'" d
    Assert.Contains("SELECT", d.Message)
    Assert.Equal("1:1-1:6", spanOf d.Span)
    Assert.StartsWith("1:1: error FND0001: syntax error at 'SELEC': expected one of:", DiagnosticRenderer.headline "" d)

[<Fact>]
let ``missing expression at end of input`` () =
    let d = parseError "SELECT a FROM t WHERE"
    assertDiagnostic 1 1 22 "syntax error at end of input: expected expression" d
    Assert.Equal("1:22-1:22", spanOf d.Span)

[<Fact>]
let ``missing table name`` () = assertDiagnostic 1 1 14 "end of input: expected identifier" (parseError "SELECT a FROM")

[<Fact>]
let ``multi-line input reports the right line`` () =
    assertDiagnostic 1 3 11 "syntax error at '='" (parseError "SELECT a\nFROM t\nWHERE a = = 1")
    assertDiagnostic 1 2 10 "syntax error at 'y'" (parseError "SELECT a\r\nFROM t x y")

[<Fact>]
let ``expected set lists what may follow`` () =
    let d = parseError "SELECT a FROM t x y"
    assertDiagnostic 1 1 19 "expected one of: ';', end of input" d

[<Fact>]
let ``long expected lists are capped`` () =
    let d = parseError "SELECT 1 2"
    Assert.Equal("FND0001", d.CodeText)
    Assert.True(d.Message.Length < 200, d.Message)

[<Theory>]
[<InlineData("SELECT FROM t", 1, 8, "'FROM'")>]
[<InlineData("SELECT a FROM t WHERE a = 1 LIMIT", 1, 34, "end of input")>]
[<InlineData("SELECT a FROM t ORDER a", 1, 23, "'a'")>]
[<InlineData("CREATE TABLE t ()", 1, 17, "')'")>]
[<InlineData("CREATE TABLE t (a)", 1, 18, "')'")>]
[<InlineData("CREATE TABLE t (a VARCHAR(x))", 1, 27, "'x'")>]
[<InlineData("DROP t", 1, 6, "'t'")>]
[<InlineData("INSERT INTO t VALUES", 1, 21, "end of input")>]
[<InlineData("INSERT INTO t VALUES (1,)", 1, 25, "')'")>]
[<InlineData("SELECT f(DISTINCT)", 1, 18, "')'")>]
[<InlineData("SELECT (1", 1, 10, "end of input")>]
[<InlineData("SELECT 1 SELECT 2", 1, 10, "'SELECT'")>]
let ``syntax errors are FND0001 at the offending token`` (sql: string, line: int, column: int, fragment: string) =
    assertDiagnostic 1 line column fragment (parseError sql)

[<Theory>]
[<InlineData("SELECT 'abc", 1, 8, "unrecognised input ''abc'", "closing quote")>]
[<InlineData("SELECT \"abc", 1, 8, "unrecognised input '\"abc'", "closing quote")>]
[<InlineData("SELECT 1 /* never closed", 1, 10, "unrecognised input '/* never closed'", "*/")>]
[<InlineData("SELECT a\n FROM t # x", 2, 9, "unrecognised input '#'", "character")>]
let ``lexical errors are FND0002 with a location`` (sql: string, line: int, column: int, fragment: string, note: string) =
    let d = parseError sql
    assertDiagnostic 2 line column fragment d
    Assert.Contains(note, String.concat " " d.Notes)

[<Fact>]
let ``two table-level primary keys`` () =
    let d = parseError "CREATE TABLE t (a INT, PRIMARY KEY (a), PRIMARY KEY (a))"
    assertDiagnostic 1008 1 41 "multiple primary keys" d

[<Fact>]
let ``a type size that does not fit is unsupported`` () =
    assertDiagnostic 3 1 27 "type size 99999999999" (parseError "CREATE TABLE t (a VARCHAR(99999999999))")

// ---- isCompleteStatement ------------------------------------------------------------------------

[<Theory>]
[<InlineData("SELECT 1;", true)>]
[<InlineData("SELECT 1 ;  \n", true)>]
[<InlineData("SELECT 1; -- done", true)>]
[<InlineData("SELECT 1; /* done */ ", true)>]
[<InlineData("SELECT ';' ;", true)>]
[<InlineData("SELECT 'it''s;';", true)>]
[<InlineData("SELECT 1; SELECT 2;", true)>]
[<InlineData("SELECT 1", false)>]
[<InlineData("", false)>]
[<InlineData("   ", false)>]
[<InlineData("SELECT ';'", false)>]
[<InlineData("SELECT 'abc;", false)>]
[<InlineData("SELECT 'it''s;'", false)>]
[<InlineData("SELECT \"a;\"", false)>]
[<InlineData("SELECT \"a;", false)>]
[<InlineData("SELECT 1 -- ;", false)>]
[<InlineData("SELECT 1 /* ; */", false)>]
[<InlineData("SELECT 1; /* unterminated", false)>]
[<InlineData("SELECT 1; SELECT 2", false)>]
let ``isCompleteStatement`` (text: string, expected: bool) = Assert.Equal(expected, Parser.isCompleteStatement text)
