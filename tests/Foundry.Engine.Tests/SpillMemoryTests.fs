/// Peak memory of spilling operators: sorting and grouping 1,000,000 rows at a 4 MiB budget, and
/// 5,000,000 at 16 MiB, keeps the live managed heap near the budget plus a fixed overhead, where the
/// same statements in memory take some 30 (sort) to 100 (groups) bytes a row. Rows come from a cross join of two small tables, which streams
/// into the sort or the group table, so nothing but the operator under test holds many rows.
///
/// The live heap is sampled by a thread that forces a full collection every 100 ms; the tests run in a
/// collection of their own, not in parallel with others, so the heap is theirs alone.
module Foundry.Engine.Tests.SpillMemoryTests

open System
open System.Threading
open Xunit
open Xunit.Abstractions
open Foundry.Engine
open Foundry.Engine.Tests.Sql

[<CollectionDefinition("peak memory", DisableParallelization = true)>]
type PeakMemoryCollection() = class end

let private budget = 4L <<< 20

/// Runs `work`, sampling the live managed heap; returns its result and the peak growth over the
/// heap before it, in bytes.
let private peakHeapGrowth (work: unit -> 'T) : 'T * int64 =
    let before = GC.GetTotalMemory(true)
    let mutable peak = before
    use stop = new ManualResetEventSlim(false)
    let sampler =
        Thread(fun () ->
            while not (stop.Wait 100) do
                peak <- max peak (GC.GetTotalMemory(true)))
    sampler.Start()
    let result =
        try
            work ()
        finally
            stop.Set()
            sampler.Join()
    result, max 0L (peak - before)

/// Reads a query's rows one at a time, folding them into an order-sensitive checksum and a count
/// (nothing is kept, so the reader holds no rows of its own).
let private checksum (session: Session) (sql: string) =
    use r = session.Execute sql
    let mutable hash = 17L
    let mutable count = 0L
    while r.Read() do
        for i in 0 .. r.FieldCount - 1 do
            let v = r.GetValue i
            hash <- hash * 31L + (if isNull v then 7L else int64 (v.GetHashCode()))
        count <- count + 1L
    hash, count

let private mib (bytes: int64) = float bytes / 1048576.0

/// `a` has `aRows` rows, `b` 1,000 (x, y, s TEXT): `a, b` makes aRows x 1,000 rows.
let private openDatabase (temp: TempDatabase) (aRows: int) =
    let db = Database.Open(temp.Path, DatabaseOptions(CacheFrames = 512))
    let session = db.OpenSession()
    script session "CREATE TABLE a (x INTEGER PRIMARY KEY); CREATE TABLE b (y INTEGER PRIMARY KEY, s TEXT)"
    exec session (sprintf "INSERT INTO a SELECT n FROM (WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < %d) SELECT n FROM c) q" (aRows - 1)) |> ignore
    exec session "INSERT INTO b SELECT n, 'label-' || ((n * 7) % 1000) FROM (WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 999) SELECT n FROM c) q" |> ignore
    db, session

/// Every row a group of its own; the checksum covers the groups' values, not their order.
let private groupsQuery =
    "SELECT count(*), sum(n), sum(k), min(m), max(m) FROM
       (SELECT a.x * 1000 + b.y AS k, count(*) AS n, max(b.s) AS m FROM a, b GROUP BY a.x * 1000 + b.y) g"

/// A sort of every row by a scrambled key, the text, then the row's number.
let private sortQuery =
    "SELECT a.x * 1000 + b.y AS k, b.s FROM a, b ORDER BY (a.x * 7919 + b.y * 104729) % 1000003, b.s, k"

[<Collection("peak memory")>]
type PeakMemoryTests(output: ITestOutputHelper) =

    [<Fact>]
    member _.``Sorting and grouping 1,000,000 rows at a 4 MiB budget keeps the live heap near the budget, and gives the in-memory results``() =
        use temp = new TempDatabase()
        let db, session = openDatabase temp 1000
        use _ = db
        use _ = session
        // Bound: the budget (rows may briefly take twice it while a buffer grows) plus a fixed 16 MiB for
        // the statement's code, file buffers and the heaps of a merge.
        let bound = 2L * budget + (16L <<< 20)
        for name, sql in [ "sort", sortQuery; "group", groupsQuery ] do
            session.OperatorMemoryBytes <- Nullable(1L <<< 30)
            let baseline = GC.GetTotalMemory(true)
            let inMemory, inMemoryPeak = peakHeapGrowth (fun () -> checksum session sql)
            Assert.Equal(0L, session.LastOperatorMemory.SpillFiles)
            // The finished statement's buffers are garbage now, though the session still holds its result.
            let retained = GC.GetTotalMemory(true) - baseline
            Assert.True(retained < (8L <<< 20), sprintf "%s: %.1f MiB still held after the result was read and disposed" name (mib retained))
            session.OperatorMemoryBytes <- Nullable budget
            let spilled, spilledPeak = peakHeapGrowth (fun () -> checksum session sql)
            let memory = session.LastOperatorMemory
            output.WriteLine(
                sprintf "%s of 1,000,000 rows: in memory peak heap +%.1f MiB; at a 4 MiB budget +%.1f MiB (accounted peak %.1f MiB, %d spill files, %.1f MiB spilled)"
                    name (mib inMemoryPeak) (mib spilledPeak) (mib memory.PeakBytes) memory.SpillFiles (mib memory.SpilledBytes))
            Assert.Equal(inMemory, spilled)
            Assert.True(memory.SpillFiles > 0L)
            Assert.True(spilledPeak < bound, sprintf "%s: peak heap growth %.1f MiB at a 4 MiB budget exceeds %.1f MiB" name (mib spilledPeak) (mib bound))
            // The bound is one the in-memory run breaks: without spilling this test fails.
            Assert.True(inMemoryPeak > bound, sprintf "%s: the in-memory run (+%.1f MiB) should not fit the bound" name (mib inMemoryPeak))

    [<Fact>]
    member _.``5,000,000 groups and a 5,000,000-row sort complete at a 16 MiB budget in bounded memory``() =
        use temp = new TempDatabase()
        let db, session = openDatabase temp 5000
        use _ = db
        use _ = session
        // 16 MiB: each of the 32 partitions of 5,000,000 groups fits, so they are not split again.
        let budget = 16L <<< 20
        session.OperatorMemoryBytes <- Nullable budget
        let bound = 2L * budget + (16L <<< 20)
        let groups, groupsPeak = peakHeapGrowth (fun () -> rows session groupsQuery)
        let groupFiles = session.LastOperatorMemory.SpillFiles
        // k runs over 0 .. 4,999,999, each once.
        Assert.Equal<obj list list>([ [ box 5000000L; box 5000000L; box (4999999L * 5000000L / 2L); box "label-0"; box "label-999" ] ], groups)
        let (_, sorted), sortPeak = peakHeapGrowth (fun () -> checksum session sortQuery)
        let sortFiles = session.LastOperatorMemory.SpillFiles
        output.WriteLine(
            sprintf "5,000,000 groups: peak heap +%.1f MiB, %d spill files; 5,000,000-row sort: peak heap +%.1f MiB, %d spill files"
                (mib groupsPeak) groupFiles (mib sortPeak) sortFiles)
        Assert.Equal(5000000L, sorted)
        Assert.True(groupFiles > 0L && sortFiles > 0L)
        Assert.True(groupsPeak < bound, sprintf "groups: peak heap growth %.1f MiB exceeds %.1f MiB" (mib groupsPeak) (mib bound))
        Assert.True(sortPeak < bound, sprintf "sort: peak heap growth %.1f MiB exceeds %.1f MiB" (mib sortPeak) (mib bound))
