/// Joins, recursive CTEs and set operations stream their rows to the reader (docs/codegen.md,
/// "Resumable pipelines"): a LIMIT above them stops the work after the rows it needs, and the first
/// row of a huge result arrives before the whole result could have been produced.
module Foundry.Engine.Tests.StreamingTests

open System
open System.Diagnostics
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

/// Three tables a, b, c of 1,000 rows each (ids 1..1000): their cross join has 1,000,000,000 rows.
let private threeTables (s: Session) =
    for t in [ "a"; "b"; "c" ] do
        exec s (sprintf "CREATE TABLE %s (id INTEGER PRIMARY KEY, v INTEGER)" t) |> ignore
        exec s (sprintf "INSERT INTO %s SELECT x, x %% 7 FROM %s" t (series 1000))
        |> ignore

/// Rows as text, sorted (results without ORDER BY compare as multisets).
let private sorted (r: obj list list) =
    r |> List.map (List.map (fun v -> if isNull v then "NULL" else string v)) |> List.sort

/// Runs `read` and fails when it takes longer than `seconds` (the work it must not do would take minutes).
let private within (seconds: float) (what: string) (read: unit -> 'T) : 'T =
    let clock = Stopwatch.StartNew()
    let result = read ()
    Assert.True(clock.Elapsed.TotalSeconds < seconds, sprintf "%s took %.1f s" what clock.Elapsed.TotalSeconds)
    result

[<Fact>]
let ``an unbounded recursive CTE under LIMIT 5 answers 1 to 5 at once`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    let got =
        within 10.0 "recursive CTE with LIMIT" (fun () ->
            rows s "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c LIMIT 5")
    Assert.Equal<obj list list>([ for i in 1L .. 5L -> [ box i ] ], got)

[<Fact>]
let ``LIMIT 10 over a billion-row cross join answers at once`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    threeTables s
    let got = within 10.0 "cross join with LIMIT" (fun () -> rows s "SELECT a.id, b.id, c.id FROM a, b, c LIMIT 10")
    Assert.Equal(10, got.Length)
    Assert.Equal(10, got |> List.distinct |> List.length)

/// Samples the managed heap in-process, so it runs in the "peak memory" collection (SpillMemoryTests.fs),
/// alone: other tests' allocations in the same test host would count against the bound.
[<Collection("peak memory")>]
type BoundedReadingTests() =

    [<Fact>]
    member _.``the first row of a billion-row cross join arrives at once and reading stays in bounded memory``() =
        use db = Database.OpenTemporary()
        use s = db.OpenSession()
        threeTables s
        GC.Collect()
        let before = GC.GetTotalMemory(true)
        use r = s.Execute "SELECT a.id, b.id, c.id FROM a, b, c"
        within 10.0 "first row of the cross join" (fun () -> Assert.True(r.Read()))
        let mutable peak = 0L
        let mutable n = 1
        while n < 3_000_000 && r.Read() do
            n <- n + 1
            if n % 100_000 = 0 then peak <- max peak (GC.GetTotalMemory(true))
        Assert.Equal(3_000_000, n)
        // Materialising 3,000,000 rows of three columns would take well over 100 MB.
        Assert.True(peak - before < 64L * 1024L * 1024L, sprintf "managed heap grew by %d bytes while reading" (peak - before))

[<Fact>]
let ``hash join, outer joins and set operations under LIMIT stop early and return the same rows as unlimited`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    threeTables s
    let queries =
        [ "SELECT a.id, b.id FROM a JOIN b ON a.v = b.v ORDER BY a.id, b.id"
          "SELECT a.id, b.id FROM a LEFT JOIN b ON a.v = b.v AND b.id < 20 ORDER BY a.id, b.id"
          "SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id + 995 ORDER BY a.id, b.id"
          "SELECT id FROM a UNION ALL SELECT id FROM b ORDER BY id"
          "SELECT v FROM a UNION SELECT id FROM b ORDER BY v"
          "SELECT v FROM a INTERSECT SELECT id FROM b ORDER BY v"
          "SELECT id FROM a EXCEPT SELECT v FROM b ORDER BY id" ]
    for q in queries do
        // The same query without ORDER BY, as a derived table under LIMIT, must give a prefix-sized subset.
        let all = rows s q
        let streamed = rows s (sprintf "SELECT * FROM (%s) q" (q.Substring(0, q.IndexOf(" ORDER BY"))))
        Assert.Equal<string list list>(sorted all, sorted streamed)
    let few = within 10.0 "join chain with LIMIT" (fun () -> rows s "SELECT a.id FROM a JOIN b ON a.v = b.v JOIN c ON b.v = c.v LIMIT 3")
    Assert.Equal(3, few.Length)

[<Fact>]
let ``a join over a join with several matches per probe row resumes at the right candidate`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE p (id INTEGER PRIMARY KEY, g INTEGER); CREATE TABLE q (id INTEGER PRIMARY KEY, g INTEGER); CREATE TABLE r (id INTEGER PRIMARY KEY, g INTEGER)"
    script s "INSERT INTO p VALUES (1, 1), (2, 1), (3, 2); INSERT INTO q VALUES (10, 1), (11, 1), (12, 2); INSERT INTO r VALUES (100, 1), (101, 2), (102, 2)"
    let got = rows s "SELECT p.id, q.id, r.id FROM p JOIN q ON p.g = q.g JOIN r ON q.g = r.g"
    let expected =
        [ for (pi, pg) in [ 1L, 1L; 2L, 1L; 3L, 2L ] do
              for (qi, qg) in [ 10L, 1L; 11L, 1L; 12L, 2L ] do
                  for (ri, rg) in [ 100L, 1L; 101L, 2L; 102L, 2L ] do
                      if pg = qg && qg = rg then yield [ box pi; box qi; box ri ] ]
    Assert.Equal<string list list>(sorted expected, sorted got)

[<Fact>]
let ``a join under a semi join returns every row of the join`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL); CREATE TABLE items (order_id INTEGER, line INTEGER, PRIMARY KEY (order_id, line))"
    script s "INSERT INTO customers VALUES (1, 'Ada'), (2, 'Bob'); INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2), (13, 2); INSERT INTO items VALUES (10, 1), (11, 1), (11, 2), (12, 1)"
    let got = rows s "SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id)"
    Assert.Equal<string list list>([ [ "Ada"; "10" ]; [ "Ada"; "11" ]; [ "Bob"; "12" ] ], sorted got)

[<Fact>]
let ``streamed joins compose with subqueries, DISTINCT, UNION ALL and a recursive union over a cycle`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE e (src INTEGER, dst INTEGER); INSERT INTO e VALUES (1, 2), (2, 3), (3, 1), (3, 4)"
    // Reachability over a cycle: UNION ends it.
    let reach = rows s "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT e.dst FROM r JOIN e ON e.src = r.n) SELECT n FROM r"
    Assert.Equal<string list list>([ [ "1" ]; [ "2" ]; [ "3" ]; [ "4" ] ], sorted reach)
    // A correlated scalar subquery evaluated per row of a streamed join.
    let counted = rows s "SELECT a.src, b.dst, (SELECT count(*) FROM e x WHERE x.src = b.dst) FROM e a JOIN e b ON a.dst = b.src"
    Assert.Equal<string list list>(
        [ [ "1"; "3"; "2" ]; [ "2"; "1"; "1" ]; [ "2"; "4"; "0" ]; [ "3"; "2"; "1" ] ],
        sorted counted
    )
    let mixed = rows s "SELECT DISTINCT a.src FROM e a, e b UNION ALL SELECT a.dst FROM e a JOIN e b ON a.dst = b.src"
    Assert.Equal<string list list>([ [ "1" ]; [ "1" ]; [ "2" ]; [ "2" ]; [ "3" ]; [ "3" ]; [ "3" ] ], sorted mixed)
    let limited = rows s "SELECT a.src, b.src FROM e a FULL JOIN e b ON a.src = b.dst + 10 LIMIT 5"
    Assert.Equal(5, limited.Length)
