/// Input never kills the process: the measured attacks of issue 10, each with its exact outcome. Long
/// flat chains (OR, AND, +, ||, IN lists) are lists and give the right answer at any length; true
/// nesting past 1,000 levels is FND0005 "statement too deeply nested" at the token where the limit
/// is passed; text over 16 MiB is FND0006. Before the fix each of these ended the test host with an
/// uncatchable StackOverflowException (or, for 100,000 parentheses, did not answer in 120 s).
module Foundry.Engine.Tests.DeepInputTests

open System
open System.Diagnostics
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private repeat (n: int) (s: string) = String.replicate n s

let private joined (separator: string) (items: string seq) = String.Join(separator, items)

let private withSmallTable (test: Session -> unit) =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, NULL), (999999, 'w'), (1000001, 'v')"
    test s

/// The statement fails with FND0005 at line 1, `column`.
let private tooDeep (s: Session) (sql: string) (column: int) =
    let e = error s sql
    Assert.Equal("FND0005", e.Code)
    Assert.Contains("statement too deeply nested", e.Message)
    Assert.Equal(Nullable 1, e.Line)
    Assert.Equal(Nullable column, e.Column)

[<Fact>]
let ``an OR list of 4,000 equalities is answered`` () =
    withSmallTable (fun s ->
        let sql = "SELECT count(*) FROM t WHERE " + (seq { 0..3999 } |> Seq.map (sprintf "a = %d") |> joined " OR ")
        Assert.True(sql.Length > 40_000)
        Assert.Equal<obj list list>([ [ box 3L ] ], rows s sql))

[<Fact>]
let ``an AND list of 10,000 conditions is answered`` () =
    withSmallTable (fun s ->
        let sql = "SELECT count(*) FROM t WHERE " + (seq { 10..10009 } |> Seq.map (sprintf "a <> %d") |> joined " AND ")
        Assert.Equal<obj list list>([ [ box 5L ] ], rows s sql))

[<Fact>]
let ``SELECT 1+1+... with 10,000 terms is 10,000`` () =
    withSmallTable (fun s -> Assert.Equal<obj list list>([ [ box 10000L ] ], rows s ("SELECT 1" + repeat 9999 "+1")))

[<Fact>]
let ``a 10,000-term chain over a column keeps left-to-right NULL and overflow semantics`` () =
    withSmallTable (fun s ->
        let sum = "a" + repeat 9999 " + a"
        Assert.Equal<obj list list>([ [ box 10000L ]; [ box 20000L ]; [ box 30000L ] ], rows s (sprintf "SELECT %s FROM t WHERE a < 4 ORDER BY a" sum))
        // b is NULL for a = 3: the whole chain is NULL.
        let concat = "b" + repeat 4999 " || b"
        let texts = rows s (sprintf "SELECT length(%s) FROM t WHERE a < 4 ORDER BY a" concat)
        Assert.Equal<obj list list>([ [ box 5000L ]; [ box 5000L ]; [ null ] ], texts)
        Assert.Equal("FND5002", (error s ("SELECT 9223372036854775807" + repeat 100 " + 1")).Code))

[<Fact>]
let ``a chain that widens from INTEGER to REAL computes as the left-deep tree it stands for`` () =
    withSmallTable (fun s ->
        // (7 / 2) is integer division before the REAL operand joins; 1 + 2 overflows nothing.
        Assert.Equal<obj list list>([ [ box 3.0; box 3.5; box 4.0 ] ], rows s "SELECT 7 / 2 * 1.0, 1 + 2 + 0.5, 2 * 2 * 1.0")
        Assert.Equal("FND5002", (error s "SELECT 9223372036854775807 + 1 + 0.5").Code))

[<Fact>]
let ``5,000 nested parentheses are refused at the 1,001st`` () =
    withSmallTable (fun s -> tooDeep s ("SELECT " + repeat 5000 "(" + "1" + repeat 5000 ")") (8 + 1000))

[<Fact>]
let ``100,000 nested parentheses are refused at once`` () =
    withSmallTable (fun s ->
        let clock = Stopwatch.StartNew()
        tooDeep s ("SELECT " + repeat 100000 "(" + "1" + repeat 100000 ")") (8 + 1000)
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds 20.0, sprintf "took %O" clock.Elapsed))

[<Fact>]
let ``NOT repeated 100,000 times is refused at the 1,001st NOT`` () =
    withSmallTable (fun s -> tooDeep s ("SELECT " + repeat 100000 "NOT " + "TRUE") (8 + 4 * 1000))

[<Fact>]
let ``10,000 nested CASE expressions are refused at the 1,001st CASE`` () =
    withSmallTable (fun s ->
        let open' = "CASE WHEN TRUE THEN "
        tooDeep s ("SELECT " + repeat 10000 open' + "1" + repeat 10000 " END") (8 + open'.Length * 1000))

[<Fact>]
let ``10,000 nested subqueries are refused at the 1,001st`` () =
    withSmallTable (fun s -> tooDeep s ("SELECT " + repeat 10000 "(SELECT " + "1" + repeat 10000 ")") (8 + 8 * 1000))

[<Fact>]
let ``a long run of comparisons, which nests, ends in the depth error, not a crash`` () =
    withSmallTable (fun s ->
        let e = error s ("SELECT 1" + repeat 50000 " = 1")
        Assert.Equal("FND0005", e.Code))

[<Fact>]
let ``nesting of exactly 1,000 levels works`` () =
    withSmallTable (fun s ->
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s ("SELECT " + repeat 1000 "(" + "1" + repeat 1000 ")"))
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s ("SELECT " + repeat 1000 "(SELECT " + "1" + repeat 1000 ")"))
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s ("SELECT " + repeat 1000 "CASE WHEN TRUE THEN " + "1" + repeat 1000 " END"))
        Assert.Equal<obj list list>([ [ box true ] ], rows s ("SELECT " + repeat 1000 "NOT " + "TRUE"))
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s ("SELECT " + repeat 1000 "- " + "1"))
        Assert.Equal<obj list list>([ [ box 2L ] ], rows s ("SELECT a FROM t WHERE a = " + repeat 999 "(" + "2" + repeat 999 ")"))
        tooDeep s ("SELECT " + repeat 1001 "- " + "1") (8 + 2 * 1000))

[<Fact>]
let ``depth 1,000 also works on a thread with a small stack`` () =
    withSmallTable (fun s ->
        let mutable result = []
        let mutable failure = None
        let run () =
            try
                result <- rows s ("SELECT " + repeat 1000 "(SELECT " + "1" + repeat 1000 ")")
            with e ->
                failure <- Some e
        let thread = Threading.Thread(run, 256 * 1024)
        thread.Start()
        thread.Join()
        Assert.Equal(None, failure |> Option.map string)
        Assert.Equal<obj list list>([ [ box 1L ] ], result))

[<Fact>]
let ``an IN list of 1,000,000 integers gives the right rows in seconds`` () =
    withSmallTable (fun s ->
        let items = seq { 0..999999 } |> Seq.map string |> joined ", "
        let clock = Stopwatch.StartNew()
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ]; [ box 3L ]; [ box 999999L ] ], rows s (sprintf "SELECT a FROM t WHERE a IN (%s) ORDER BY a" items))
        Assert.Equal<obj list list>([ [ box 1000001L ] ], rows s (sprintf "SELECT a FROM t WHERE a NOT IN (%s) ORDER BY a" items))
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds 60.0, sprintf "took %O" clock.Elapsed))

/// The same IN list through the parser (short) and through the literal-list scan (long).
let private inList (n: int) (items: string list) = items @ List.replicate (max 0 (n - items.Length)) (List.last items) |> joined ", "

[<Theory>]
[<InlineData(3)>]
[<InlineData(40)>]
let ``IN lists keep SQL's NULL semantics and type rules, short or long`` (length: int) =
    withSmallTable (fun s ->
        let q sql = rows s sql
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ] ], q (sprintf "SELECT a FROM t WHERE a IN (%s) ORDER BY a" (inList length [ "1"; "2" ])))
        // Not found with a NULL in the list is NULL, so NOT IN keeps no row; found is TRUE.
        Assert.Equal<obj list list>([], q (sprintf "SELECT a FROM t WHERE a NOT IN (%s) ORDER BY a" (inList length [ "NULL"; "1" ])))
        Assert.Equal<obj list list>([ [ box true; null; null ] ], q (sprintf "SELECT 1 IN (%s), 5 IN (%s), NULL IN (%s)" (inList length [ "NULL"; "1" ]) (inList length [ "NULL"; "1" ]) (inList length [ "1" ])))
        // INTEGER against a REAL item compares in REAL.
        Assert.Equal<obj list list>([ [ box 2L ] ], q (sprintf "SELECT a FROM t WHERE a IN (%s)" (inList length [ "2.0"; "2.5" ])))
        Assert.Equal<obj list list>([ [ box 2L ] ], q (sprintf "SELECT a FROM t WHERE b IN (%s)" (inList length [ "'y'"; "'q'" ])))
        Assert.Equal("FND1004", (error s (sprintf "SELECT a FROM t WHERE a IN (%s)" (inList length [ "1"; "'x'" ]))).Code))

[<Fact>]
let ``statement text over 16 MiB is refused before it is read`` () =
    withSmallTable (fun s ->
        let sql = "SELECT 1 -- " + String('x', 16 * 1024 * 1024)
        let e = error s sql
        Assert.Equal("FND0006", e.Code)
        Assert.Contains("statement too large", e.Message))

[<Fact>]
let ``999 signs over an aggregate or a group key bind in linear time, not cubic`` () =
    // Found by the parser fuzz: GROUP BY matching rebuilt every subtree's key once per ancestor.
    withSmallTable (fun s ->
        let clock = Stopwatch.StartNew()
        Assert.Equal<obj list list>([ [ box -5L ] ], rows s ("SELECT " + repeat 999 "- " + "count(*) FROM t"))
        Assert.Equal<obj list list>([ [ box -1L ]; [ box -2L ] ], rows s ("SELECT " + repeat 999 "- " + "a FROM t WHERE a < 3 GROUP BY a ORDER BY a"))
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds 20.0, sprintf "took %O" clock.Elapsed))

[<Fact>]
let ``a parenthesised left operand continues the chain, so GROUP BY matches it`` () =
    withSmallTable (fun s ->
        Assert.Equal<obj list list>(
            [ [ box 4L ]; [ box 6L ] ],
            rows s "SELECT a + a + 2 FROM t WHERE a < 3 GROUP BY (a + a) + 2 ORDER BY 1"))

[<Fact>]
let ``a GROUP BY key that is a prefix of a chain is matched inside it`` () =
    // Found by the differential test: SELECT ((0 * c0) * 0) ... GROUP BY (0 * c0) was refused.
    withSmallTable (fun s ->
        Assert.Equal<obj list list>([ [ box 0L ] ], rows s "SELECT ((0 * a) * 0) FROM t WHERE a = 1 GROUP BY (0 * a)")
        Assert.Equal<obj list list>([ [ box 3L ]; [ box 5L ] ], rows s "SELECT a + a + 1 FROM t WHERE a < 3 GROUP BY a + a ORDER BY 1"))
