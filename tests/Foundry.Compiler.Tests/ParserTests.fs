/// Parser: every statement form, expression precedence, spans, parameters, diagnostics with exact
/// locations, and the shell's statement-completeness check.
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

let queryOf (s: Statement) =
    match s.Kind with
    | Select q -> q
    | k -> failwithf "expected a query, got %A" k

/// The SELECT of a statement that is one plain SELECT.
let selectOf (s: Statement) =
    match (queryOf s).Body with
    | Specification sel -> sel
    | b -> failwithf "expected a plain SELECT, got %A" b

let private identText (i: Identifier) = if i.Quoted then "\"" + i.Name + "\"" else i.Name

let private opText = BinaryOperator.sql

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
    | Chain(first, rest) ->
        // Printed as the left-deep tree it means, so chains and single operators read alike.
        rest |> List.fold (fun acc (op, r) -> sprintf "(%s %s %s)" (opText op) acc (shape r)) (shape first)
    | Binary(op, l, r) -> sprintf "(%s %s %s)" (opText op) (shape l) (shape r)
    | IsNull(a, false) -> sprintf "(isnull %s)" (shape a)
    | IsNull(a, true) -> sprintf "(isnotnull %s)" (shape a)
    | IsDistinctFrom(a, b, negated) -> sprintf "(%s %s %s)" (if negated then "isnotdistinct" else "isdistinct") (shape a) (shape b)
    | FunctionCall(n, _, _, true) -> sprintf "(call %s *)" (identText n)
    | FunctionCall(n, args, distinct, false) ->
        let args = args |> List.map shape |> String.concat " "
        sprintf "(call %s%s%s%s)" (identText n) (if distinct then " DISTINCT" else "") (if args = "" then "" else " ") args
    | Parenthesized a -> sprintf "[%s]" (shape a)
    | Parameter n -> sprintf "$%d" n
    | Case(operand, whens, elseResult) ->
        let operand = operand |> Option.map (fun o -> " " + shape o) |> Option.defaultValue ""
        let whens = whens |> List.map (fun (w, t) -> sprintf " (when %s %s)" (shape w) (shape t)) |> String.concat ""
        let elseResult = elseResult |> Option.map (fun e -> " (else " + shape e + ")") |> Option.defaultValue ""
        sprintf "(case%s%s%s)" operand whens elseResult
    | Cast(a, t) -> sprintf "(cast %s %s%s)" (shape a) t.Name (if t.Arguments.IsEmpty then "" else sprintf "%A" t.Arguments)
    | Between(a, lo, hi, negated) -> sprintf "(%s %s %s %s)" (if negated then "notbetween" else "between") (shape a) (shape lo) (shape hi)
    | InList(a, items, negated) ->
        sprintf "(%s %s%s)" (if negated then "notin" else "in") (shape a) (items |> List.map (fun i -> " " + shape i) |> String.concat "")
    | InSubquery(a, _, negated) -> sprintf "(%s %s <query>)" (if negated then "notin" else "in") (shape a)
    | Exists(_, negated) -> if negated then "(notexists <query>)" else "(exists <query>)"
    | ScalarSubquery _ -> "<query>"
    | Like(a, p, escape, negated) ->
        let escape = escape |> Option.map (fun e -> " " + shape e) |> Option.defaultValue ""
        sprintf "(%s %s %s%s)" (if negated then "notlike" else "like") (shape a) (shape p) escape

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

let tableOf (f: FromItem) =
    match f with
    | Table t -> t
    | other -> failwithf "expected a table, got %A" other

/// A compact rendering of a FROM item: joins as (kind left right condition).
let rec fromShape (f: FromItem) =
    match f with
    | Table { Name = n; Alias = None } -> identText n
    | Table { Name = n; Alias = Some a } -> identText n + " " + identText a
    | Derived(_, alias, columns, _) ->
        sprintf "(derived %s%s)" (identText alias) (columns |> Option.map (fun cs -> cs |> List.map identText |> String.concat "," |> sprintf "(%s)") |> Option.defaultValue "")
    | Join(kind, l, r, condition, _) ->
        let condition =
            match condition with
            | On e -> " on " + shape e
            | Using cs -> " using " + (cs |> List.map identText |> String.concat ",")
            | Natural -> " natural"
            | NoCondition -> ""
        sprintf "(%A %s %s%s)" kind (fromShape l) (fromShape r) condition

/// A compact rendering of a query body: set operations as (op left right).
let rec bodyShape (b: QueryBody) =
    match b with
    | Specification s -> s.Items |> List.map (function ExprItem(e, _) -> shape e | _ -> "*") |> String.concat ","
    | Values(rows, _) -> "values" + (rows |> List.map (fun r -> "(" + (r |> List.map shape |> String.concat ",") + ")") |> String.concat "")
    | SetOperation(op, all, l, r, _) -> sprintf "(%A%s %s %s)" op (if all then "All" else "") (bodyShape l) (bodyShape r)
    | Nested q -> "[" + bodyShape q.Body + "]"

[<Fact>]
let ``SELECT with every clause`` () =
    let q =
        queryOf (
            parseOk
                "SELECT DISTINCT *, t.*, a, b AS x, c y FROM tab AS t, u WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 ORDER BY a, b DESC NULLS FIRST, c ASC NULLS LAST LIMIT 10 OFFSET 5"
        )
    let s = selectOf (parseOk "SELECT DISTINCT *, t.*, a, b AS x, c y FROM tab AS t, u WHERE a > 1 GROUP BY a, b HAVING count(*) > 1")
    Assert.True s.Distinct
    match s.Items with
    | [ AllColumns _; TableColumns({ Name = "t" }, _); ExprItem(a, None); ExprItem(b, Some { Name = "x" }); ExprItem(c, Some { Name = "y" }) ] ->
        Assert.Equal<string list>([ "a"; "b"; "c" ], [ shape a; shape b; shape c ])
    | items -> failwithf "unexpected items %A" items
    Assert.Equal<string list>([ "tab t"; "u" ], s.From |> List.map fromShape)
    Assert.Equal("(> a 1)", shape s.Where.Value)
    Assert.Equal<string list>([ "a"; "b" ], s.GroupBy |> List.map shape)
    Assert.Equal("(> (call count *) 1)", shape s.Having.Value)
    Assert.Equal<(string * bool * bool option) list>(
        [ "a", false, None; "b", true, Some true; "c", false, Some false ],
        q.OrderBy |> List.map (fun o -> shape o.Expr, o.Descending, o.NullsFirst)
    )
    Assert.Equal("10", shape q.Limit.Value)
    Assert.Equal("5", shape q.Offset.Value)
    Assert.True(q.With.IsEmpty && not q.Recursive)

[<Fact>]
let ``SELECT without FROM, SELECT ALL and table alias without AS`` () =
    let s = selectOf (parseOk "select 1+1")
    Assert.True(s.From.IsEmpty && s.Where.IsNone && s.GroupBy.IsEmpty && s.Having.IsNone && not s.Distinct)
    Assert.False (selectOf (parseOk "SELECT ALL a FROM t")).Distinct
    let q = queryOf (parseOk "SELECT a FROM t x LIMIT 1")
    Assert.Equal(Some "x", (tableOf (selectOf (parseOk "SELECT a FROM t x LIMIT 1")).From.Head).Alias |> Option.map (fun a -> a.Name))
    Assert.True(q.Offset.IsNone)
    let q = queryOf (parseOk "SELECT a FROM t OFFSET 3")
    Assert.True(q.Limit.IsNone)
    Assert.Equal("3", shape q.Offset.Value)

[<Theory>]
[<InlineData("SELECT * FROM a CROSS JOIN b", "(CrossJoin a b)")>]
[<InlineData("SELECT * FROM a JOIN b ON a.x = b.x", "(InnerJoin a b on (= a.x b.x))")>]
[<InlineData("SELECT * FROM a INNER JOIN b USING (x, y)", "(InnerJoin a b using x,y)")>]
[<InlineData("SELECT * FROM a LEFT OUTER JOIN b ON TRUE", "(LeftJoin a b on TRUE)")>]
[<InlineData("SELECT * FROM a RIGHT JOIN b ON TRUE", "(RightJoin a b on TRUE)")>]
[<InlineData("SELECT * FROM a FULL JOIN b ON TRUE", "(FullJoin a b on TRUE)")>]
[<InlineData("SELECT * FROM a NATURAL JOIN b", "(InnerJoin a b natural)")>]
[<InlineData("SELECT * FROM a NATURAL LEFT JOIN b", "(LeftJoin a b natural)")>]
[<InlineData("SELECT * FROM a JOIN b", "(InnerJoin a b)")>]
[<InlineData("SELECT * FROM a x JOIN b y ON p CROSS JOIN c", "(CrossJoin (InnerJoin a x b y on p) c)")>]
[<InlineData("SELECT * FROM a JOIN (b JOIN c ON q) ON p", "(InnerJoin a (InnerJoin b c on q) on p)")>]
[<InlineData("SELECT * FROM (SELECT 1) AS d (x) JOIN (SELECT 2) e ON TRUE", "(InnerJoin (derived d(x)) (derived e) on TRUE)")>]
let ``joins are left-associative`` (sql: string, expected: string) =
    Assert.Equal(expected, fromShape (selectOf (parseOk sql)).From.Head)

[<Theory>]
[<InlineData("SELECT 1 UNION SELECT 2", "(Union 1 2)")>]
[<InlineData("SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3", "(Except (UnionAll 1 2) 3)")>]
[<InlineData("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", "(Union 1 (Intersect 2 3))")>]
[<InlineData("SELECT 1 INTERSECT ALL SELECT 2 EXCEPT ALL SELECT 3", "(ExceptAll (IntersectAll 1 2) 3)")>]
[<InlineData("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3", "(Intersect [(Union 1 2)] 3)")>]
[<InlineData("VALUES (1, 2), (3, 4) UNION SELECT 5, 6", "(Union values(1,2)(3,4) 5,6)")>]
let ``set operations: INTERSECT binds tighter, all left-associative`` (sql: string, expected: string) =
    Assert.Equal(expected, bodyShape (queryOf (parseOk sql)).Body)

[<Fact>]
let ``WITH RECURSIVE and nested queries keep their own ORDER BY and LIMIT`` () =
    let q = queryOf (parseOk "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r), s AS (SELECT 2) (SELECT n FROM r LIMIT 3) ORDER BY 1")
    Assert.True q.Recursive
    Assert.Equal<string list>([ "r"; "s" ], q.With |> List.map (fun c -> c.Name.Name))
    Assert.Equal<string list option>(Some [ "n" ], q.With.Head.Columns |> Option.map (List.map (fun c -> c.Name)))
    match q.Body with
    | Nested inner -> Assert.Equal("3", shape inner.Limit.Value)
    | b -> failwithf "unexpected body %A" b
    Assert.Equal(1, q.OrderBy.Length)

[<Theory>]
[<InlineData("a BETWEEN 1 AND 2 AND b", "(AND (between a 1 2) b)")>]
[<InlineData("a NOT BETWEEN 1 + 1 AND 2 * 3 OR c", "(OR (notbetween a (+ 1 1) (* 2 3)) c)")>]
[<InlineData("NOT a BETWEEN b AND c", "(NOT (between a b c))")>]
[<InlineData("a BETWEEN b AND c = d", "(= (between a b c) d)")>]
[<InlineData("a = b BETWEEN c AND d", "(= a (between b c d))")>]
[<InlineData("a BETWEEN -b AND c || d", "(between a (neg b) (|| c d))")>]
[<InlineData("a IN (1, 2) AND b", "(AND (in a 1 2) b)")>]
[<InlineData("a NOT IN (1)", "(notin a 1)")>]
[<InlineData("a IN ()", "(in a)")>]
[<InlineData("NOT a IN (1)", "(NOT (in a 1))")>]
[<InlineData("a IN (SELECT 1)", "(in a <query>)")>]
[<InlineData("a NOT IN (SELECT 1) OR b", "(OR (notin a <query>) b)")>]
[<InlineData("a LIKE 'x%' ESCAPE '!'", "(like a 'x%' '!')")>]
[<InlineData("a NOT LIKE b || 'c' AND d", "(AND (notlike a (|| b 'c')) d)")>]
[<InlineData("a IS DISTINCT FROM b", "(isdistinct a b)")>]
[<InlineData("a IS NOT DISTINCT FROM b + 1 AND c", "(AND (isnotdistinct a (+ b 1)) c)")>]
[<InlineData("a IS DISTINCT FROM b = c", "(isdistinct a (= b c))")>]
[<InlineData("a IS DISTINCT FROM b IS NULL", "(isnull (isdistinct a b))")>]
[<InlineData("a = NOT b", "(= a (NOT b))")>]
[<InlineData("- - + 79", "(neg (neg (pos 79)))")>]
[<InlineData("NOT - col", "(NOT (neg col))")>]
[<InlineData("- col * + col IN (1)", "(in (* (neg col) (pos col)) 1)")>]
[<InlineData("EXISTS (SELECT 1)", "(exists <query>)")>]
[<InlineData("NOT EXISTS (SELECT 1)", "(notexists <query>)")>]
[<InlineData("NOT (EXISTS (SELECT 1))", "(NOT [(exists <query>)])")>]
[<InlineData("(SELECT 1) + 1", "(+ <query> 1)")>]
[<InlineData("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END", "(case (when a 1) (when b 2) (else 3))")>]
[<InlineData("CASE a + 1 WHEN 1 THEN 'x' END", "(case (+ a 1) (when 1 'x'))")>]
[<InlineData("CAST(a AS INTEGER)", "(cast a INTEGER)")>]
[<InlineData("CAST(- a AS VARCHAR(30)) || 'x'", "(|| (cast (neg a) VARCHAR[30]) 'x')")>]
[<InlineData("left('abc', 1) || right('abc', 1) || replace(a, 'b', 'c')", "(|| (|| (call left 'abc' 1) (call right 'abc' 1)) (call replace a 'b' 'c'))")>]
[<InlineData("SUM(ALL a) + COUNT(DISTINCT - b)", "(+ (call SUM a) (call COUNT DISTINCT (neg b)))")>]
[<InlineData("$2 + $10", "(+ $2 $10)")>]
let ``predicates, subqueries and the new primaries`` (sql: string, expected: string) =
    Assert.Equal(expected, shape (parseExpr sql))

[<Fact>]
let ``question marks are numbered by position within each statement`` () =
    match Parser.parseScript "SELECT ? + ?, (SELECT ? FROM t WHERE a = ?) FROM u WHERE b IN (?, $1); SELECT ?" with
    | Ok [ first; second ] ->
        let s = selectOf first
        let text = s.Items |> List.map (function ExprItem(e, _) -> shape e | _ -> "*")
        Assert.Equal<string list>([ "(+ $1 $2)"; "<query>" ], text)
        match s.Items[1] with
        | ExprItem({ Kind = ScalarSubquery q }, _) ->
            let inner = selectOf { Kind = Select q; Span = q.Span }
            Assert.Equal("$3", (match inner.Items with [ ExprItem(e, _) ] -> shape e | _ -> ""))
            Assert.Equal("(= a $4)", shape inner.Where.Value)
        | i -> failwithf "unexpected %A" i
        Assert.Equal("(in b $5 $1)", shape s.Where.Value)
        Assert.Equal("$1", shape (parseExpr "?"))
        match (selectOf second).Items with
        | [ ExprItem({ Kind = Parameter 1 }, None) ] -> ()
        | i -> failwithf "unexpected %A" i
    | r -> failwithf "unexpected %A" r

[<Fact>]
let ``CREATE TABLE with column and table constraints`` () =
    let sql =
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL UNIQUE, price DECIMAL(10, 2) NULL DEFAULT -1.5, "
        + "ratio DOUBLE PRECISION CHECK (ratio > 0) DEFAULT (1 + 1), k INT NOT NULL REFERENCES u ON DELETE CASCADE, "
        + "PRIMARY KEY (id, \"K\"), UNIQUE (name), CHECK (price < 100), FOREIGN KEY (k, id) REFERENCES u (a, b) ON DELETE SET NULL)"
    match (parseOk sql).Kind with
    | CreateTable c ->
        Assert.Equal("t", c.Name.Name)
        Assert.True c.IfNotExists
        let constraintText =
            function
            | PrimaryKeyConstraint _ -> "pk"
            | NotNullConstraint _ -> "notnull"
            | UniqueConstraint _ -> "unique"
            | DefaultConstraint(e, _) -> "default " + shape e
            | CheckConstraint(e, _) -> "check " + shape e
            | ReferencesConstraint r -> sprintf "references %s(%d) %A" r.Table.Name r.Columns.Length r.OnDelete
        let cols = c.Columns |> List.map (fun col -> col.Name.Name, col.Type.Name, col.Type.Arguments, col.Constraints |> List.map constraintText)
        Assert.Equal<(string * string * int list * string list) list>(
            [ "id", "INTEGER", [], [ "pk" ]
              "name", "VARCHAR", [ 30 ], [ "notnull"; "unique" ]
              "price", "DECIMAL", [ 10; 2 ], [ "default (neg 1.5r)" ]
              "ratio", "DOUBLE PRECISION", [], [ "check (> ratio 0)"; "default [(+ 1 1)]" ]
              "k", "INT", [], [ "notnull"; "references u(0) Cascade" ] ],
            cols
        )
        match c.Constraints with
        | [ PrimaryKeyTableConstraint([ { Name = "id"; Quoted = false }; { Name = "K"; Quoted = true } ], _)
            UniqueTableConstraint([ { Name = "name" } ], _)
            CheckTableConstraint(check, _)
            ForeignKeyTableConstraint([ _; _ ], { Table = { Name = "u" }; Columns = [ _; _ ]; OnDelete = SetNull }, _) ] ->
            Assert.Equal("(< price 100)", shape check)
        | cs -> failwithf "unexpected table constraints %A" cs
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``CREATE TABLE without IF NOT EXISTS and referential actions`` () =
    match (parseOk "create table T (a int)").Kind with
    | CreateTable { Name = { Name = "T" }; IfNotExists = false; Columns = [ _ ]; Constraints = [] } -> ()
    | k -> failwithf "unexpected %A" k
    let action sql =
        match (parseOk (sprintf "CREATE TABLE t (a INT REFERENCES u (x)%s)" sql)).Kind with
        | CreateTable { Columns = [ { Constraints = [ ReferencesConstraint r ] } ] } -> r.OnDelete
        | k -> failwithf "unexpected %A" k
    Assert.Equal<ReferentialAction list>([ NoAction; NoAction; Restrict; Cascade; SetNull ], [ action ""; action " ON DELETE NO ACTION"; action " ON DELETE RESTRICT"; action " ON DELETE CASCADE"; action " ON DELETE SET NULL" ])

[<Fact>]
let ``DROP TABLE, INDEX and VIEW with and without IF EXISTS`` () =
    match (parseOk "DROP TABLE t").Kind, (parseOk "drop table if exists \"T\"").Kind with
    | DropTable({ Name = "t" }, false), DropTable({ Name = "T"; Quoted = true }, true) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "DROP INDEX i").Kind, (parseOk "DROP INDEX IF EXISTS i;").Kind with
    | DropIndex({ Name = "i" }, false), DropIndex({ Name = "i" }, true) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "DROP VIEW v").Kind, (parseOk "DROP VIEW IF EXISTS v").Kind with
    | DropView({ Name = "v" }, false), DropView({ Name = "v" }, true) -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``CREATE INDEX and CREATE VIEW`` () =
    match (parseOk "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a, b DESC, c ASC)").Kind with
    | CreateIndex { Name = { Name = "i" }; Unique = true; IfNotExists = true; Table = { Name = "t" }; Columns = cols } ->
        Assert.Equal<(string * bool) list>([ "a", false; "b", true; "c", false ], cols |> List.map (fun c -> c.Column.Name, c.Descending))
    | k -> failwithf "unexpected %A" k
    match (parseOk "CREATE INDEX t1i1 ON t1(x)").Kind with
    | CreateIndex { Unique = false; IfNotExists = false } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "CREATE VIEW IF NOT EXISTS v (x, y) AS SELECT a, b FROM t UNION SELECT 1, 2").Kind with
    | CreateView { Name = { Name = "v" }; IfNotExists = true; Columns = Some [ _; _ ]; Query = { Body = SetOperation(Union, false, _, _, _) } } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "CREATE VIEW view1 AS SELECT x FROM t1 WHERE x>0").Kind with
    | CreateView { IfNotExists = false; Columns = None } -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``ALTER TABLE actions`` () =
    match (parseOk "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT 'x'").Kind with
    | AlterTable({ Name = "t" }, AddColumn { Name = { Name = "c" }; Type = { Name = "TEXT" }; Constraints = [ NotNullConstraint _; DefaultConstraint _ ] }) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "ALTER TABLE t ADD c INT").Kind with
    | AlterTable(_, AddColumn { Name = { Name = "c" } }) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "ALTER TABLE t RENAME COLUMN a TO b").Kind, (parseOk "ALTER TABLE t RENAME a TO b").Kind with
    | AlterTable(_, RenameColumn({ Name = "a" }, { Name = "b" })), AlterTable(_, RenameColumn({ Name = "a" }, { Name = "b" })) -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "ALTER TABLE t RENAME TO u").Kind with
    | AlterTable({ Name = "t" }, RenameTable { Name = "u" }) -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``INSERT with VALUES, a query, DEFAULT VALUES and RETURNING`` () =
    match (parseOk "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, NULL)").Kind with
    | Insert { Table = { Name = "t" }; Columns = Some [ { Name = "a" }; { Name = "b" } ]; Source = ValuesSource rows; Returning = [] } ->
        Assert.Equal<string list list>([ [ "1"; "'x'" ]; [ "(neg 2)"; "NULL" ] ], rows |> List.map (List.map shape))
    | k -> failwithf "unexpected %A" k
    match (parseOk "INSERT INTO t1 VALUES(2,'unknown')").Kind with
    | Insert { Columns = None; Source = ValuesSource [ [ _; _ ] ] } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "INSERT INTO t (a) SELECT x FROM u WHERE x > 1").Kind with
    | Insert { Source = QuerySource { Body = Specification _ } } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "INSERT INTO t VALUES (1) UNION SELECT 2").Kind with
    | Insert { Source = QuerySource { Body = SetOperation _ } } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "INSERT INTO t (SELECT 1)").Kind with
    | Insert { Columns = None; Source = QuerySource { Body = Nested _ } } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "INSERT INTO t DEFAULT VALUES RETURNING *, a + 1 AS b").Kind with
    | Insert { Source = DefaultValues; Returning = [ AllColumns _; ExprItem(_, Some { Name = "b" }) ] } -> ()
    | k -> failwithf "unexpected %A" k

[<Fact>]
let ``UPDATE and DELETE`` () =
    match (parseOk "UPDATE t AS x SET a = a + 1, b = DEFAULT_B FROM u, v WHERE x.id = u.id RETURNING a").Kind with
    | Update { Table = { Name = { Name = "t" }; Alias = Some { Name = "x" } }; Assignments = assignments; From = [ _; _ ]; Where = Some _; Returning = [ _ ] } ->
        Assert.Equal<(string * string) list>([ "a", "(+ a 1)"; "b", "DEFAULT_B" ], assignments |> List.map (fun (c, e) -> c.Name, shape e))
    | k -> failwithf "unexpected %A" k
    match (parseOk "UPDATE t1 SET z='foo'").Kind with
    | Update { Table = { Alias = None }; Assignments = [ _ ]; From = []; Where = None; Returning = [] } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "DELETE FROM t x WHERE a IN (SELECT b FROM u) RETURNING *").Kind with
    | Delete { Table = { Alias = Some { Name = "x" } }; Where = Some _; Returning = [ AllColumns _ ] } -> ()
    | k -> failwithf "unexpected %A" k
    match (parseOk "DELETE FROM t").Kind with
    | Delete { Where = None; Returning = [] } -> ()
    | k -> failwithf "unexpected %A" k

[<Theory>]
[<InlineData("BEGIN", "Begin")>]
[<InlineData("BEGIN TRANSACTION", "Begin")>]
[<InlineData("COMMIT", "Commit")>]
[<InlineData("commit transaction", "Commit")>]
[<InlineData("END", "Commit")>]
[<InlineData("END TRANSACTION", "Commit")>]
[<InlineData("ROLLBACK", "Rollback")>]
[<InlineData("ROLLBACK TRANSACTION", "Rollback")>]
[<InlineData("CHECKPOINT", "Checkpoint")>]
[<InlineData("ANALYZE", "Analyze None")>]
[<InlineData("ANALYZE t", "Analyze t")>]
[<InlineData("EXPLAIN SELECT 1", "Explain Select")>]
[<InlineData("EXPLAIN ANALYZE SELECT 1", "Explain ANALYZE Select")>]
[<InlineData("EXPLAIN ANALYZE", "Explain Analyze None")>]
[<InlineData("EXPLAIN ANALYZE ANALYZE t", "Explain ANALYZE Analyze t")>]
[<InlineData("EXPLAIN DELETE FROM t", "Explain Delete")>]
let ``transaction, maintenance and EXPLAIN statements`` (sql: string, expected: string) =
    let rec text (s: Statement) =
        match s.Kind with
        | Begin -> "Begin"
        | Commit -> "Commit"
        | Rollback -> "Rollback"
        | Checkpoint -> "Checkpoint"
        | Analyze None -> "Analyze None"
        | Analyze(Some t) -> "Analyze " + t.Name
        | Explain(analyze, inner) -> (if analyze then "Explain ANALYZE " else "Explain ") + text inner
        | Select _ -> "Select"
        | Delete _ -> "Delete"
        | k -> sprintf "%A" k
    Assert.Equal(expected, text (parseOk sql))

[<Fact>]
let ``non-reserved keywords name tables and columns`` () =
    for word in [ "key"; "action"; "no"; "cascade"; "restrict"; "first"; "last"; "nulls"; "rename"; "add"; "transaction" ] do
        let s = selectOf (parseOk (sprintf "SELECT %s FROM %s %s ORDER BY %s NULLS FIRST" word word word word))
        Assert.Equal(word, shape (match s.Items with [ ExprItem(e, _) ] -> e | _ -> failwith "items"))

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
    Assert.Equal("1:15-1:16", spanOf (tableOf s.From.Head).Span)

[<Fact>]
let ``spans across lines`` () =
    let q = queryOf (parseOk "SELECT a + b\n  FROM t AS x\n WHERE (c)\n ORDER BY d DESC")
    let s = selectOf (parseOk "SELECT a + b\n  FROM t AS x\n WHERE (c)\n ORDER BY d DESC")
    match s.Items with
    | [ ExprItem(e, None) ] -> Assert.Equal("1:8-1:13", spanOf e.Span)
    | items -> failwithf "unexpected %A" items
    Assert.Equal("2:8-2:14", spanOf (tableOf s.From.Head).Span)
    Assert.Equal("3:8-3:11", spanOf s.Where.Value.Span)
    Assert.Equal("4:11-4:17", spanOf q.OrderBy.Head.Span)
    Assert.Equal("1:1-3:11", spanOf s.Span)
    Assert.Equal("1:1-4:17", spanOf q.Span)
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
    let query = root.GetProperty "query"
    let body = query.GetProperty "body"
    Assert.Equal("Specification", body.GetProperty("kind").GetString())
    let item = (body.GetProperty "items")[0]
    Assert.Equal("ColumnRef", item.GetProperty("expr").GetProperty("kind").GetString())
    Assert.Equal("b", item.GetProperty("alias").GetProperty("name").GetString())
    Assert.Equal("Table", (body.GetProperty("from")[0]).GetProperty("kind").GetString())
    let order = (query.GetProperty "orderBy")[0]
    Assert.True(order.GetProperty("descending").GetBoolean())
    Assert.Equal(JsonValueKind.Null, body.GetProperty("where").ValueKind)

[<Fact>]
let ``toJson covers subqueries, joins and DDL`` () =
    let kinds (sql: string) =
        use doc = JsonDocument.Parse(AstPrinter.toJson (parseOk sql))
        let found = Collections.Generic.List<string>()
        let rec walk (e: JsonElement) =
            match e.ValueKind with
            | JsonValueKind.Object ->
                for p in e.EnumerateObject() do
                    if p.Name = "kind" then found.Add(p.Value.GetString())
                    walk p.Value
            | JsonValueKind.Array -> e.EnumerateArray() |> Seq.iter walk
            | _ -> ()
        walk doc.RootElement
        Set.ofSeq found
    let k = kinds "SELECT CASE WHEN a IN (SELECT 1) THEN ? END FROM t JOIN (SELECT 1 UNION VALUES (2)) AS d ON EXISTS (SELECT 1)"
    for expected in [ "Case"; "InSubquery"; "Parameter"; "Join"; "Derived"; "SetOperation"; "Values"; "Exists"; "Table" ] do
        Assert.Contains(expected, k)
    let k = kinds "CREATE TABLE t (a INT DEFAULT -1 CHECK (a > 0) REFERENCES u (b) ON DELETE CASCADE, FOREIGN KEY (a) REFERENCES u)"
    for expected in [ "CreateTable"; "Column"; "Default"; "Check"; "References"; "ForeignKey"; "Unary" ] do
        Assert.Contains(expected, k)

// ---- diagnostics --------------------------------------------------------------------------------

[<Fact>]
let ``misspelt keyword points at it`` () =
    let d = parseError "SELEC 1"
    assertDiagnostic 1 1 1 "syntax error at 'SELEC'" d
    Assert.Contains("expected one of: statement", d.Message)
    Assert.Equal("1:1-1:6", spanOf d.Span)
    Assert.StartsWith("1:1: error FND0001: syntax error at 'SELEC': expected one of:", DiagnosticRenderer.headline "" d)

[<Fact>]
let ``missing expression at end of input`` () =
    let d = parseError "SELECT a FROM t WHERE"
    assertDiagnostic 1 1 22 "syntax error at end of input: expected expression" d
    Assert.Equal("1:22-1:22", spanOf d.Span)

[<Fact>]
let ``missing table name`` () = assertDiagnostic 1 1 14 "end of input: expected one of: identifier, '('" (parseError "SELECT a FROM")

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

[<Theory>]
[<InlineData("SELECT a FROM t WHERE a BETWEEN 1", 1, 34, "end of input")>]
[<InlineData("SELECT a FROM t JOIN", 1, 21, "end of input")>]
[<InlineData("SELECT a FROM t UNION", 1, 22, "end of input")>]
[<InlineData("SELECT CASE END", 1, 13, "'END'")>]
[<InlineData("SELECT CAST(a) FROM t", 1, 14, "')'")>]
[<InlineData("SELECT a NOT = b", 1, 14, "'='")>]
[<InlineData("SELECT + - NOT a", 1, 12, "'NOT'")>]
[<InlineData("SELECT a FROM (SELECT 1)", 1, 25, "end of input")>]
[<InlineData("INSERT INTO t DEFAULT", 1, 22, "end of input")>]
[<InlineData("UPDATE t SET a", 1, 15, "end of input")>]
[<InlineData("CREATE INDEX i ON t", 1, 20, "end of input")>]
[<InlineData("ALTER TABLE t DROP COLUMN a", 1, 15, "'DROP'")>]
[<InlineData("SELECT 1 + NOT 2", 1, 12, "'NOT'")>]
let ``syntax errors in the new statement forms`` (sql: string, line: int, column: int, fragment: string) =
    assertDiagnostic 1 line column fragment (parseError sql)

[<Fact>]
let ``a parameter number that does not fit is unsupported`` () =
    assertDiagnostic 3 1 8 "parameter number $99999999999" (parseError "SELECT $99999999999")

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
