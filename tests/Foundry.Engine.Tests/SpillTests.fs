/// Sorts, hash aggregation and hash joins beyond the statement's memory budget: they spill to
/// temporary files and give exactly the rows they give in memory (NULLs and duplicates included), and
/// no spill file outlives its statement, whether it finishes, fails or is abandoned.
module Foundry.Engine.Tests.SpillTests

open System
open System.IO
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

/// A budget these tables do not fit in (they take some 300 KiB), though one hash partition of them does.
let private small = 8L <<< 10

/// A budget nothing fits in: every operator spills after its first row, and every partition is split again.
let private tiny = 1L

/// A budget everything in these tests fits in.
let private large = 1L <<< 30

/// A database with a spill directory of its own (so a test can see what is left in it) and two tables:
/// `l` (3,000 rows) and `r` (2,000 rows), with duplicate keys, NULL keys, and NULLs in every type.
type private SpillDatabase() =
    let temp = new TempDatabase()
    let spillDir = Path.Combine(Path.GetDirectoryName temp.Path, "spill")
    do Directory.CreateDirectory spillDir |> ignore
    let db = Database.Open(temp.Path, DatabaseOptions(SpillDirectory = spillDir))
    let session = db.OpenSession()
    do
        script
            session
            "CREATE TABLE l (id INTEGER PRIMARY KEY, k INTEGER, t TEXT, x REAL, b BOOLEAN, blob BLOB);
             CREATE TABLE r (id INTEGER PRIMARY KEY, k INTEGER, t TEXT, x REAL)"
        // k: 1 in 7 rows NULL, values repeat (~400 distinct in l, ~300 in r, partly overlapping).
        exec
            session
            "INSERT INTO l SELECT n,
                    CASE WHEN n % 7 = 0 THEN NULL ELSE (n * 37) % 400 END,
                    CASE WHEN n % 11 = 0 THEN NULL ELSE 'txt' || ((n * 13) % 97) END,
                    CASE WHEN n % 5 = 0 THEN NULL ELSE ((n * 17) % 1000) / 8.0 END,
                    CASE WHEN n % 3 = 0 THEN NULL ELSE n % 2 = 0 END,
                    CASE WHEN n % 4 = 0 THEN NULL ELSE CAST('b' || (n % 9) AS BLOB) END
             FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000) SELECT n FROM c) q"
        |> ignore
        exec
            session
            "INSERT INTO r SELECT n,
                    CASE WHEN n % 9 = 0 THEN NULL ELSE (n * 53) % 300 + 100 END,
                    CASE WHEN n % 6 = 0 THEN NULL ELSE 'r' || (n % 50) END,
                    CASE WHEN n % 4 = 0 THEN NULL ELSE n / 4.0 END
             FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2000) SELECT n FROM c) q"
        |> ignore

    member _.Session = session
    member _.SpillDirectory = spillDir

    /// The rows of a query under a memory budget.
    member _.Rows(budget: int64, sql: string) =
        session.OperatorMemoryBytes <- Nullable budget
        rows session sql

    member _.SpillFiles = session.LastOperatorMemory.SpillFiles
    member _.SpilledBytes = session.LastOperatorMemory.SpilledBytes
    member _.LeftInDirectory = Directory.GetFiles spillDir |> Array.length

    interface IDisposable with
        member _.Dispose() =
            session.Dispose()
            db.Dispose()
            (temp :> IDisposable).Dispose()

let private text (row: obj list) =
    row
    |> List.map (fun v ->
        match v with
        | null -> "NULL"
        | :? (byte[]) as b -> Convert.ToHexString b
        | :? float as f -> f.ToString("R")
        | v -> string v)
    |> String.concat "|"

/// Runs a query in memory and at a budget it does not fit in; both give the same rows (in the same
/// order when `ordered`), and the second run spilled; its files are gone afterwards. Returns the
/// number of spill files it made.
let private sameRowsWhenSpilledAt (budget: int64) (db: SpillDatabase) (ordered: bool) (sql: string) =
    let inMemory = db.Rows(large, sql) |> List.map text
    Assert.Equal(0L, db.SpillFiles)
    let spilled = db.Rows(budget, sql) |> List.map text
    let files = db.SpillFiles
    Assert.True(files > 0L, sprintf "expected the query to spill at a %d-byte budget: %s" budget sql)
    Assert.True(db.SpilledBytes > 0L)
    Assert.Equal(0, db.LeftInDirectory)
    Assert.NotEmpty inMemory
    if ordered then Assert.Equal<string list>(inMemory, spilled)
    else Assert.Equal<string list>(List.sort inMemory, List.sort spilled)
    files

let private sameRowsWhenSpilled db ordered sql = sameRowsWhenSpilledAt small db ordered sql |> ignore

[<Fact>]
let ``ORDER BY spilled to runs returns the rows of the in-memory sort, in the same order, NULLs and ties included`` () =
    use db = new SpillDatabase()
    // Ties on every key (many equal k, t) must keep input order, as the stable in-memory sort does.
    sameRowsWhenSpilled db true "SELECT id, k, t, x, b, blob FROM l ORDER BY k, t DESC NULLS FIRST"
    sameRowsWhenSpilled db true "SELECT t, x, id FROM l ORDER BY x DESC, b NULLS FIRST, blob"
    sameRowsWhenSpilled db true "SELECT k, id FROM l ORDER BY t"

[<Fact>]
let ``GROUP BY spilled to hash partitions gives the in-memory groups and aggregates, NULL groups included`` () =
    use db = new SpillDatabase()
    sameRowsWhenSpilled
        db
        false
        "SELECT k, t, count(*), count(x), sum(k), sum(x), total(x), avg(x), min(t), max(t), min(x), max(b), min(blob), max(id)
         FROM l GROUP BY k, t"
    sameRowsWhenSpilled db false "SELECT t, count(*), avg(k), min(b), max(blob) FROM l GROUP BY t"
    // REAL sums depend on the order of the additions: each group must still add its rows in input order.
    sameRowsWhenSpilled db false "SELECT k, sum(x / 3), avg(x / 7), total(id / 9.0) FROM l GROUP BY k"
    // DISTINCT aggregates keep their per-group value sets: a group is never split across partitions.
    sameRowsWhenSpilled db false "SELECT k, count(DISTINCT t), sum(DISTINCT x), avg(DISTINCT id % 10), count(*) FROM l GROUP BY k"
    sameRowsWhenSpilledAt tiny db false "SELECT b, blob, count(*), sum(id) FROM l GROUP BY b, blob" |> ignore
    sameRowsWhenSpilled db false "SELECT x, count(*) FROM l GROUP BY x"
    sameRowsWhenSpilled db false "SELECT id, count(*), max(t) FROM l GROUP BY id"

[<Fact>]
let ``Hash joins spilled to partitions keep inner, left, full, semi and anti join results`` () =
    use db = new SpillDatabase()
    sameRowsWhenSpilled db false "SELECT l.id, r.id, l.t, r.t, r.x FROM l JOIN r ON l.k = r.k"
    sameRowsWhenSpilled db false "SELECT l.id, r.id, r.t FROM l LEFT JOIN r ON l.k = r.k"
    sameRowsWhenSpilled db false "SELECT l.id, r.id, l.x, r.x FROM l FULL JOIN r ON l.k = r.k"
    sameRowsWhenSpilled db false "SELECT l.id, r.id FROM l JOIN r ON l.k = r.k AND l.x < r.x"
    sameRowsWhenSpilled db false "SELECT l.id, l.t FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)"
    sameRowsWhenSpilled db false "SELECT l.id, l.t FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k)"
    sameRowsWhenSpilled db false "SELECT l.id FROM l WHERE l.k IN (SELECT k FROM r WHERE x > 100)"

[<Fact>]
let ``Partitions that do not fit are split again by the next level's hash, and sorts merge runs in several passes`` () =
    use db = new SpillDatabase()
    // At a 1-byte budget each level-0 partition (at most 32 files) is split again: more files than that.
    let deeper files = Assert.True(files > 64L, sprintf "expected sub-partitions, got %d spill files" files)
    sameRowsWhenSpilledAt tiny db false "SELECT id, count(*), max(t) FROM l GROUP BY id" |> deeper
    sameRowsWhenSpilledAt tiny db false "SELECT k, count(*), sum(x) FROM l GROUP BY k" |> deeper
    sameRowsWhenSpilledAt tiny db false "SELECT l.id, r.id FROM l LEFT JOIN r ON l.k = r.k" |> deeper
    sameRowsWhenSpilledAt tiny db false "SELECT l.id, r.id FROM l FULL JOIN r ON l.k = r.k" |> deeper
    // One row per run: 3,000 runs merged 32 at a time, in three passes.
    sameRowsWhenSpilledAt tiny db true "SELECT id, t FROM l ORDER BY t, x" |> deeper

[<Fact>]
let ``Joins, groups and sorts spill together in one statement`` () =
    use db = new SpillDatabase()
    sameRowsWhenSpilled
        db
        true
        "SELECT l.k, count(*) AS n, sum(r.id) AS s FROM l JOIN r ON l.k = r.k GROUP BY l.k ORDER BY n DESC, l.k"

[<Fact>]
let ``Spill files are deleted when a statement fails or its reader is abandoned mid-way`` () =
    use db = new SpillDatabase()
    let session = db.Session
    session.OperatorMemoryBytes <- Nullable small
    // Abandoned: the sort has spilled its runs; the first row is read, then the result is dropped.
    do
        use result = session.Execute "SELECT id, t FROM l ORDER BY t, id"
        Assert.True(result.Read())
        Assert.True(db.LeftInDirectory > 0, "the sort's runs are in the spill directory while its rows are read")
    Assert.Equal(0, db.LeftInDirectory)
    // Failed: division by zero on an output row, after the group table spilled its partitions.
    let e = error session "SELECT k, 1 / (count(*) - count(*)) FROM l GROUP BY k"
    Assert.Equal("FND5001", e.Code)
    Assert.Equal(0, db.LeftInDirectory)
    // The session goes on, and a later statement spills and cleans up again.
    Assert.Equal(3000, db.Rows(small, "SELECT id FROM l ORDER BY t") |> List.length)
    Assert.Equal(0, db.LeftInDirectory)

[<Fact>]
let ``A spill file that cannot be written fails the statement with a clear storage error`` () =
    use temp = new TempDatabase()
    let missing = Path.Combine(Path.GetDirectoryName temp.Path, "no-such-directory")
    use db = Database.Open(temp.Path, DatabaseOptions(SpillDirectory = missing, OperatorMemoryBytes = Nullable 1L))
    use session = db.OpenSession()
    script session "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (3), (1), (2)"
    let e = error session "SELECT a FROM t ORDER BY a"
    Assert.Equal("FND5100", e.Code)
    Assert.Contains("could not write temporary spill file", e.Message)
    Assert.Contains("no-such-directory", e.Message)
    // Without the need to spill the same statement runs.
    session.OperatorMemoryBytes <- Nullable large
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ]; [ box 3L ] ], rows session "SELECT a FROM t ORDER BY a")

[<Fact>]
let ``The memory budget is set by DatabaseOptions, defaults to half the buffer pool, and a session overrides it`` () =
    use temp = new TempDatabase()
    do
        use db = Database.Open(temp.Path, DatabaseOptions(CacheFrames = 256))
        Assert.Equal(256L * 8192L / 2L, db.OperatorMemoryBytes)
    use db = Database.Open(temp.Path, DatabaseOptions(OperatorMemoryBytes = Nullable(3L <<< 20)))
    Assert.Equal(3L <<< 20, db.OperatorMemoryBytes)
    use session = db.OpenSession()
    rows session "SELECT 1" |> ignore
    Assert.Equal(3L <<< 20, session.LastOperatorMemory.BudgetBytes)
    session.OperatorMemoryBytes <- Nullable 4096L
    rows session "SELECT 1" |> ignore
    Assert.Equal(4096L, session.LastOperatorMemory.BudgetBytes)
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> session.OperatorMemoryBytes <- Nullable 0L) |> ignore

[<Fact>]
let ``BLOB keys group, deduplicate and join by value, in memory and spilled`` () =
    use db = new SpillDatabase()
    // l.blob holds 9 distinct values (and NULL) over 3,000 rows; equal blobs are distinct arrays.
    for budget in [ large; tiny ] do
        Assert.Equal(10, db.Rows(budget, "SELECT blob, count(*) FROM l GROUP BY blob") |> List.length)
        Assert.Equal(10, db.Rows(budget, "SELECT DISTINCT blob FROM l") |> List.length)
        let pairs = db.Rows(budget, "SELECT count(*) FROM l x JOIN l y ON x.blob = y.blob WHERE x.id <= 9 AND y.id <= 90")
        // Ids 1..9 with a blob (4 and 8 have none) each meet the 10 rows of 1..90 with their value (n % 9 alike), less those without a blob.
        let expected =
            [ for x in 1..9 do
                  for y in 1..90 do
                      if x % 4 <> 0 && y % 4 <> 0 && x % 9 = y % 9 then yield 1 ]
            |> List.length
        Assert.Equal<obj list list>([ [ box (int64 expected) ] ], pairs)

[<Fact>]
let ``EXPLAIN ANALYZE reports the operators' peak memory and what they spilled`` () =
    use db = new SpillDatabase()
    let report budget =
        db.Rows(budget, "EXPLAIN ANALYZE SELECT t, count(*) FROM l GROUP BY t ORDER BY t") |> List.map (fun r -> string r.Head)
    let inMemory = report large
    Assert.Contains(inMemory, fun l -> l.StartsWith "Operator memory: peak " && l.EndsWith "of a 1024.0 MiB budget, nothing spilled")
    let spilled = report small
    Assert.Contains(spilled, fun l -> l.StartsWith "Operator memory: peak " && l.Contains "of a 8.0 KiB budget, spilled " && l.EndsWith " temporary files")
    Assert.StartsWith("Execution time:", List.last spilled)
