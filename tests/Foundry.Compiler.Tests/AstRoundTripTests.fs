/// AstPrinter.toSql round trips: generated Asts print to SQL that parses back to the same Ast, and
/// printing a parsed statement is a fixpoint.
module Foundry.Compiler.Tests.AstRoundTripTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Syntax.Ast

// ---- normalisers --------------------------------------------------------------------------------

/// Rewrites every span to Span.None and, when dropParens, removes Parenthesized nodes.
type private Normaliser(dropParens: bool) =
    let none = Span.None

    member _.Id(i: Identifier) = { i with Span = none }

    member this.Expr(e: Expr) : Expr =
        let kind =
            match e.Kind with
            | Literal _ as l -> l
            | ColumnRef(q, n) -> ColumnRef(Option.map this.Id q, this.Id n)
            | Unary(op, a) -> Unary(op, this.Expr a)
            | Binary(op, l, r) -> Binary(op, this.Expr l, this.Expr r)
            | IsNull(a, negated) -> IsNull(this.Expr a, negated)
            | FunctionCall(n, args, distinct, star) -> FunctionCall(this.Id n, List.map this.Expr args, distinct, star)
            | Parenthesized a when dropParens -> (this.Expr a).Kind
            | Parenthesized a -> Parenthesized(this.Expr a)
        { Kind = kind; Span = none }

    member this.Statement(s: Statement) : Statement =
        let kind =
            match s.Kind with
            | Select sel ->
                let item =
                    function
                    | AllColumns _ -> AllColumns none
                    | TableColumns(t, _) -> TableColumns(this.Id t, none)
                    | ExprItem(e, alias) -> ExprItem(this.Expr e, Option.map this.Id alias)
                Select
                    { Items = List.map item sel.Items
                      From = sel.From |> Option.map (fun t -> { Name = this.Id t.Name; Alias = Option.map this.Id t.Alias; Span = none })
                      Where = Option.map this.Expr sel.Where
                      OrderBy = sel.OrderBy |> List.map (fun o -> { o with Expr = this.Expr o.Expr; Span = none })
                      Limit = Option.map this.Expr sel.Limit
                      Offset = Option.map this.Expr sel.Offset
                      Span = none }
            | CreateTable c ->
                CreateTable
                    { c with
                        Name = this.Id c.Name
                        Columns = c.Columns |> List.map (fun col -> { col with Name = this.Id col.Name; Type = { col.Type with Span = none }; Span = none })
                        PrimaryKey = c.PrimaryKey |> Option.map (fun (cols, _) -> List.map this.Id cols, none)
                        Span = none }
            | DropTable(n, ifExists) -> DropTable(this.Id n, ifExists)
            | Insert i ->
                Insert
                    { Table = this.Id i.Table
                      Columns = Option.map (List.map this.Id) i.Columns
                      Rows = List.map (List.map this.Expr) i.Rows
                      Span = none }
        { Kind = kind; Span = none }

/// The Ast without spans: what a round trip must preserve exactly.
let stripSpans (s: Statement) = Normaliser(false).Statement s

/// The Ast without spans or parentheses: what a round trip of a synthesised Ast must preserve
/// (the printer adds parentheses where the synthesised shape needs them).
let stripSpansAndParens (s: Statement) = Normaliser(true).Statement s

let private parse (sql: string) =
    match Parser.parseStatement sql with
    | Ok s -> s
    | Result.Error ds -> failwithf "printed SQL does not parse:\n%s" (ds |> List.map (DiagnosticRenderer.render "" sql) |> String.concat "\n")

// ---- generators ---------------------------------------------------------------------------------

let private noSpan = Span.None

let private genIdentifier =
    Gen.frequency
        [ 4, Gen.elements [ "a"; "b"; "c"; "t"; "x1"; "col_2"; "_u"; "key"; "Mixed" ] |> Gen.map (fun n -> { Name = n; Quoted = false; Span = noSpan })
          1, Gen.elements [ "A"; "select"; "x y"; "q\"q"; "semi;colon"; "--" ] |> Gen.map (fun n -> { Name = n; Quoted = true; Span = noSpan }) ]

let private genString =
    Gen.elements [ 'a'; 'Z'; ' '; '\''; '"'; ';'; '-'; '*'; '/'; '\n'; 'é'; '0' ]
    |> Gen.arrayOf
    |> Gen.map String

let private genLiteral =
    Gen.oneof
        [ Gen.choose (0, Int32.MaxValue) |> Gen.map (fun n -> IntegerLiteral(int64 n))
          Gen.elements [ 0L; 9L; Int64.MaxValue; int64 Int32.MaxValue + 1L ] |> Gen.map IntegerLiteral
          Gen.elements [ 0.0; 0.5; 1.0; 1e20; 2.5e-7; 123.456; 9.223372036854776E+18; Double.MaxValue ] |> Gen.map RealLiteral
          Gen.choose (0, 1000000) |> Gen.map (fun n -> RealLiteral(float n / 64.0))
          genString |> Gen.map StringLiteral
          Gen.elements [ BooleanLiteral true; BooleanLiteral false; NullLiteral ] ]

let private expr (kind: ExprKind) : Expr = { Kind = kind; Span = noSpan }

let private allBinary =
    [ Add; Subtract; Multiply; Divide; Modulo; Concat; Equal; NotEqual; Less; LessOrEqual; Greater; GreaterOrEqual; And; Or ]

let rec private genExprSized (size: int) : Gen<Expr> =
    let leaf =
        Gen.oneof
            [ genLiteral |> Gen.map (Literal >> expr)
              Gen.map2 (fun q n -> expr (ColumnRef(q, n))) (Gen.optionOf genIdentifier) genIdentifier
              genIdentifier |> Gen.map (fun n -> expr (FunctionCall(n, [], false, true))) ]
    if size <= 0 then leaf
    else
        let sub = genExprSized (size / 2)
        Gen.frequency
            [ 2, leaf
              1, Gen.map2 (fun op a -> expr (Unary(op, a))) (Gen.elements [ Negate; Identity; Not ]) sub
              4, Gen.map3 (fun op l r -> expr (Binary(op, l, r))) (Gen.elements allBinary) sub sub
              1, Gen.map2 (fun a negated -> expr (IsNull(a, negated))) sub (Gen.elements [ true; false ])
              1, Gen.map3
                  (fun n args distinct -> expr (FunctionCall(n, args, distinct && not args.IsEmpty, false)))
                  genIdentifier
                  (Gen.choose (0, 3) |> Gen.bind (fun k -> Gen.listOfLength k sub))
                  (Gen.elements [ true; false ])
              1, sub |> Gen.map (Parenthesized >> expr) ]

let private genExpr = Gen.sized (fun n -> genExprSized (min n 24))

let private listOf1To (n: int) (g: Gen<'a>) = Gen.choose (1, n) |> Gen.bind (fun k -> Gen.listOfLength k g)

let private statement (kind: StatementKind) : Statement = { Kind = kind; Span = noSpan }

let private genSelect =
    gen {
        let! items =
            Gen.frequency
                [ 1, Gen.constant (AllColumns noSpan)
                  1, genIdentifier |> Gen.map (fun t -> TableColumns(t, noSpan))
                  4, Gen.map2 (fun e alias -> ExprItem(e, alias)) genExpr (Gen.optionOf genIdentifier) ]
            |> listOf1To 3
        let! from =
            Gen.optionOf (Gen.map2 (fun n alias -> { Name = n; Alias = alias; Span = noSpan }) genIdentifier (Gen.optionOf genIdentifier))
        let! where = Gen.optionOf genExpr
        let! orderBy =
            Gen.map2 (fun e d -> { Expr = e; Descending = d; Span = noSpan }) genExpr (Gen.elements [ true; false ])
            |> Gen.listOf
            |> Gen.map (List.truncate 3)
        let! limit = Gen.optionOf genExpr
        let! offset = if limit.IsSome then Gen.optionOf genExpr else Gen.constant None
        return
            statement (
                Select
                    { Items = items
                      From = from
                      Where = where
                      OrderBy = orderBy
                      Limit = limit
                      Offset = offset
                      Span = noSpan }
            )
    }

let private genInsert =
    gen {
        let! table = genIdentifier
        let! columns = Gen.optionOf (listOf1To 3 genIdentifier)
        let! width = Gen.choose (1, 3)
        let! rows = listOf1To 3 (Gen.listOfLength width genExpr)
        return statement (Insert { Table = table; Columns = columns; Rows = rows; Span = noSpan })
    }

let private genType =
    Gen.elements [ "INTEGER", []; "int", []; "VARCHAR", [ 30 ]; "DECIMAL", [ 10; 2 ]; "DOUBLE PRECISION", []; "Text", [] ]
    |> Gen.map (fun (name, args) -> { Name = name; Arguments = args; Span = noSpan })

let private genCreate =
    gen {
        let! name = genIdentifier
        let! ifNotExists = Gen.elements [ true; false ]
        let! columns =
            gen {
                let! n = genIdentifier
                let! t = genType
                let! pk = Gen.elements [ true; false ]
                let! notNull = Gen.elements [ true; false ]
                return { Name = n; Type = t; PrimaryKey = pk; NotNull = notNull; Span = noSpan }
            }
            |> listOf1To 4
        let! key = Gen.optionOf (listOf1To 2 genIdentifier |> Gen.map (fun cs -> cs, noSpan))
        return statement (CreateTable { Name = name; IfNotExists = ifNotExists; Columns = columns; PrimaryKey = key; Span = noSpan })
    }

let private genDrop = Gen.map2 (fun n e -> statement (DropTable(n, e))) genIdentifier (Gen.elements [ true; false ])

let private genStatement = Gen.frequency [ 4, genSelect; 2, genInsert; 1, genCreate; 1, genDrop ]

let private config = Config.QuickThrowOnFailure.WithMaxTest(500)

let private check (gen: Gen<'a>) (property: 'a -> unit) = Check.One(config, Prop.forAll (Arb.fromGen gen) property)

let private assertSame (expected: Statement) (actual: Statement) (sql: string) =
    if expected <> actual then failwithf "round trip changed the Ast.\nSQL: %s\nexpected: %A\nactual:   %A" sql expected actual

// ---- properties ---------------------------------------------------------------------------------

[<Fact>]
let ``generated expressions round trip through toSql`` () =
    check genExpr (fun e ->
        let s = statement (Select { Items = [ ExprItem(e, None) ]; From = None; Where = None; OrderBy = []; Limit = None; Offset = None; Span = noSpan })
        let sql = AstPrinter.toSql s
        assertSame (stripSpansAndParens s) (stripSpansAndParens (parse sql)) sql)

[<Fact>]
let ``generated statements round trip through toSql`` () =
    check genStatement (fun s ->
        let sql = AstPrinter.toSql s
        assertSame (stripSpansAndParens s) (stripSpansAndParens (parse sql)) sql)

[<Fact>]
let ``printing a parsed statement adds and loses no parentheses`` () =
    check genStatement (fun s ->
        let parsed = parse (AstPrinter.toSql s)
        let sql = AstPrinter.toSql parsed
        assertSame (stripSpans parsed) (stripSpans (parse sql)) sql)

[<Fact>]
let ``synthesised trees get parentheses only where needed`` () =
    let c n = expr (ColumnRef(None, { Name = n; Quoted = false; Span = noSpan }))
    let bin op l r = expr (Binary(op, l, r))
    let sel e = AstPrinter.toSql (statement (Select { Items = [ ExprItem(e, None) ]; From = None; Where = None; OrderBy = []; Limit = None; Offset = None; Span = noSpan }))
    Assert.Equal("SELECT a + b * c", sel (bin Add (c "a") (bin Multiply (c "b") (c "c"))))
    Assert.Equal("SELECT (a + b) * c", sel (bin Multiply (bin Add (c "a") (c "b")) (c "c")))
    Assert.Equal("SELECT a - (b - c)", sel (bin Subtract (c "a") (bin Subtract (c "b") (c "c"))))
    Assert.Equal("SELECT (NOT a) = b", sel (bin Equal (expr (Unary(Not, c "a"))) (c "b")))
    Assert.Equal("SELECT NOT a = b", sel (expr (Unary(Not, bin Equal (c "a") (c "b")))))
    Assert.Equal("SELECT a IS NULL = b", sel (bin Equal (expr (IsNull(c "a", false))) (c "b")))
    Assert.Equal("SELECT x = (a IS NULL || b)", sel (bin Equal (c "x") (bin Concat (expr (IsNull(c "a", false))) (c "b"))))
    Assert.Equal("SELECT (a * NOT b) + c", sel (bin Add (bin Multiply (c "a") (expr (Unary(Not, c "b")))) (c "c")))
    Assert.Equal("SELECT - -1", sel (expr (Unary(Negate, expr (Unary(Negate, expr (Literal(IntegerLiteral 1L))))))))
    Assert.Equal("SELECT -(a + b)", sel (expr (Unary(Negate, bin Add (c "a") (c "b")))))

// ---- handwritten fixpoints ----------------------------------------------------------------------

let private handwritten =
    [ "SELECT 1 + 1"
      "select a, b as \"B\", t.*, * from T x where not a = b and c is not null order by 1 + 2 * 3 desc, b limit 10 offset 5"
      "SELECT (a + b) * -c, ((1)), - -1, +2, 'it''s', \"q\"\"q\", TRUE, false, NULL FROM t"
      "SELECT count(*), COUNT(DISTINCT a), coalesce(a, b, 0), now() FROM t"
      "SELECT a || b = c, a = b IS NULL, a IS NULL = b, NOT a IS NULL, (NOT a) = b FROM t"
      "SELECT 1.5, .5, 2., 1e3, 2.5E-7, 9223372036854775807, 9223372036854775808"
      "SELECT a FROM t WHERE a % 2 = 0 OR a / 3 <> 1 AND a != 4 AND a == 5 AND a <= 6 AND a >= 0 AND a < 9 AND a > -9"
      "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, p DECIMAL(10, 2) NULL, r DOUBLE PRECISION, PRIMARY KEY (id, name))"
      "create table \"T\" (key int)"
      "DROP TABLE t"
      "DROP TABLE IF EXISTS \"Mixed Case\""
      "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, NULL), (3 * (4 + 5), 'a;b')"
      "INSERT INTO t VALUES (1)"
      "SELECT a -- comment\nFROM /* block */ t" ]

[<Fact>]
let ``print, parse, print is a fixpoint on handwritten SQL`` () =
    for sql in handwritten do
        let first = Parser.parseStatement sql |> Result.defaultWith (fun ds -> failwithf "%s: %A" sql ds)
        let printed = AstPrinter.toSql first
        let second = parse printed
        assertSame (stripSpans first) (stripSpans second) printed
        Assert.Equal(printed, AstPrinter.toSql second)

[<Fact>]
let ``printStatement and toJson are deterministic and cover every handwritten statement`` () =
    for sql in handwritten do
        let s = parse sql
        Assert.Equal(AstPrinter.printStatement s, AstPrinter.printStatement (parse sql))
        Assert.Equal(AstPrinter.toJson s, AstPrinter.toJson (parse sql))
        Assert.False(String.IsNullOrWhiteSpace(AstPrinter.printStatement s))
