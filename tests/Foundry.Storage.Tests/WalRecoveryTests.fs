/// WAL and recovery, against the fault-injecting file system (Storage/Files): a generated history of
/// B+Tree changes, commits, rollbacks, statement savepoints and checkpoints runs with a tiny pool (so
/// dirty pages are stolen) and a small checkpoint threshold; then a crash keeps a random subset of the
/// unsynced writes, possibly tearing the last one or corrupting a byte. Recovery must yield exactly the
/// model's committed state (PG1–PG6, RC1), with Validate() empty — and must do so again when the
/// recovery itself is crashed part-way (RC1, idempotence).
module Foundry.Storage.Tests.WalRecoveryTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

type WalOp =
    | Put of int * int
    | Del of int
    | Commit
    | Rollback
    | Savepoint
    | RollbackStatement
    | Checkpoint

type Crash =
    { Seed: int
      Keep: float
      Tear: bool
      Corrupt: bool
      /// Crash recovery itself after this many file operations (0: let it finish).
      RecoveryCrashAfter: int }

let private key (k: int) = KeyWriter().WriteInt64(int64 k).ToArray()

/// Value of length `len` (some go to overflow pages with 512-byte pages) derived from the key and length.
let private value (k: int) (len: int) = Array.init len (fun i -> byte (k * 31 + len + i))

let private opGen =
    Gen.frequency
        [ 14, Gen.map2 (fun k l -> Put(k, l)) (Gen.choose (0, 60)) (Gen.frequency [ 6, Gen.choose (1, 40); 2, Gen.choose (100, 700) ])
          4, Gen.map Del (Gen.choose (0, 60))
          1, Gen.constant Commit
          1, Gen.constant Rollback
          2, Gen.constant Savepoint
          1, Gen.constant RollbackStatement
          1, Gen.constant Checkpoint ]

let private crashGen =
    gen {
        let! seed = Gen.choose (0, Int32.MaxValue - 1)
        let! keep = Gen.elements [ 0.0; 0.3; 0.7; 1.0 ]
        let! tear = Gen.elements [ false; true ]
        let! corrupt = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
        let! again = Gen.frequency [ 2, Gen.constant 0; 1, Gen.choose (1, 40) ]
        return { Seed = seed; Keep = keep; Tear = tear; Corrupt = corrupt; RecoveryCrashAfter = again }
    }

let private arb =
    Arb.fromGenShrink (
        Gen.zip (Gen.listOf opGen) crashGen,
        fun (ops: WalOp list, c) ->
            // Shrink by dropping one operation at a time.
            seq { for i in 0 .. ops.Length - 1 -> List.removeAt i ops, c })

let private dbPath = "/sim/test.foundry"

let private options (fs: IStorageFileSystem) =
    PagerOptions(PageSizeBytes = 512, CacheFrames = 8, CheckpointLogBytes = 24_000L, FileSystem = fs)

/// Runs the history; returns the committed model.
let private run (fs: FaultInjectingFileSystem) (ops: WalOp list) =
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    let mutable committed = Map.empty
    let mutable current = Map.empty
    let mutable statement = Map.empty
    for op in ops do
        match op with
        | Put(k, l) ->
            tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k l))
            current <- Map.add k l current
        | Del k ->
            tree.Delete(ReadOnlySpan(key k)) |> ignore
            current <- Map.remove k current
        | Commit ->
            pager.Commit()
            committed <- current
            statement <- current
        | Rollback ->
            pager.Rollback()
            current <- committed
            statement <- committed
        | Savepoint ->
            pager.BeginStatement()
            statement <- current
        | RollbackStatement ->
            pager.RollbackStatement()
            current <- statement
        | Checkpoint ->
            if not pager.HasUncommittedChanges then pager.Checkpoint()
    pager.Abandon()
    committed

/// Opens after a crash and returns the tree's contents as a model, after checking Validate().
let private recoverAndRead (fs: FaultInjectingFileSystem) =
    use pager = Pager.Open(dbPath, options fs)
    let errors = pager.Validate(ResizeArray<uint32>())
    Assert.True((errors.Count = 0), String.Join("\n", errors))
    let tree = BTree(pager, pager.CatalogRootPageId)
    scan tree
    |> List.map (fun (k, v) -> int (KeyReader.Decode(ReadOnlySpan k).[0] :?> int64), v)
    |> Map.ofList

let private expected (committed: Map<int, int>) = committed |> Map.map (fun k l -> value k l)

let private check (ops: WalOp list, c: Crash) =
    let fs = FaultInjectingFileSystem()
    let committed = run fs ops
    let rng = Random c.Seed
    let crashed = fs.Crash(rng, c.Keep, c.Tear, c.Corrupt)
    let afterCrash =
        if c.RecoveryCrashAfter > 0 then
            // Crash recovery part-way, then recover again from what that crash left (RC1).
            crashed.FailAfterOperations <- c.RecoveryCrashAfter
            try
                (Pager.Open(dbPath, options crashed)).Abandon()
            with :? SimulatedCrashException -> ()
            crashed.FailAfterOperations <- 0
            crashed.Crash(rng, c.Keep, c.Tear, false)
        else
            crashed
    let want = expected committed
    try
        Assert.Equal<Map<int, byte[]>>(want, recoverAndRead afterCrash)
    with :? WalRefusedException when c.Corrupt ->
        // A corrupted byte in the log is damage, not a tear: refusing the open is the right answer (RF2).
        ()

[<Fact>]
let ``PG1-PG6 RC1 after any history and crash (lost, torn or corrupt unsynced writes, crashes during recovery) recovery yields exactly the committed state or refuses a corrupted log`` () =
    let runs = if Environment.GetEnvironmentVariable "FOUNDRY_LONG_TESTS" = "1" then 1000 else 120
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(runs), Prop.forAll arb (fun x -> check x; true))

[<Fact>]
let ``RC1 recovery is idempotent: crashing it after every possible number of file operations and recovering again gives the same state`` () =
    let ops = [ for i in 0 .. 80 -> Put(i % 37, 5 + i % 90) ] @ [ Commit; Del 3; Put(4, 600); Savepoint; Del 5 ] @ [ for i in 0 .. 30 -> Put(i + 100, 20) ]
    let fs = FaultInjectingFileSystem()
    let committed = run fs ops
    let crashed = fs.Crash(Random 7, 1.0, false, false)
    // Count the operations a full recovery performs, then crash it after each prefix of them.
    let probe = crashed.Crash(Random 1, 1.0, false, false)
    let report =
        let p = Pager.Open(dbPath, options probe)
        let r = p.Recovery
        p.Abandon()
        r
    Assert.True(report.Ran)
    Assert.True(report.PagesUndone > 0, "the history leaves an unfinished transaction to undo")
    let total = int probe.Operations
    for n in 1 .. total do
        let fs2 = crashed.Crash(Random n, 1.0, false, false)
        fs2.FailAfterOperations <- n
        try (Pager.Open(dbPath, options fs2)).Abandon() with :? SimulatedCrashException -> ()
        fs2.FailAfterOperations <- 0
        let again = fs2.Crash(Random n, 0.5, true, false)
        Assert.Equal<Map<int, byte[]>>(expected committed, recoverAndRead again)

[<Fact>]
let ``WAL garbage after the last record (never a sector of this log) ends the log cleanly and is not counted as tail`` () =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan(value 1 10))
    pager.Commit()
    let nextSector = (WalSectors.IndexOf(1L, 1L + pager.LogSizeBytes) + 1L) |> WalSectors.FileOffset
    pager.Abandon()
    // Garbage in the sector after the records: it fails its checksum and carries no tag of this log (SC3).
    use f = fs.Open(dbPath + "-wal", false)
    Assert.True(f.Length > nextSector + 512L, "the log file is preallocated beyond its records")
    f.Write(ReadOnlySpan(Array.create 512 0xA5uy), nextSector)
    f.Sync()
    f.Dispose()
    use reopened = Pager.Open(dbPath, options fs)
    Assert.True(reopened.Recovery.Ran)
    Assert.Equal(0L, reopened.Recovery.TailBytesDiscarded)
    Assert.Equal(1, reopened.Recovery.CommittedTransactions)
    Assert.Contains("recovery: redid", reopened.Recovery.ToString())
    let t = BTree(reopened, reopened.CatalogRootPageId)
    Assert.Equal(1, (scan t).Length)

[<Fact>]
let ``WAL6 after a failed log write no later commit is reported durable, and recovery keeps only the synced ones`` () =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan(value 1 10))
    pager.Commit()
    // The next commit's flush fails on its first file operation: its records left the buffer but are not in the file.
    tree.Upsert(ReadOnlySpan(key 2), ReadOnlySpan(value 2 10))
    fs.FailAfterOperations <- 1
    Assert.Throws<SimulatedCrashException>(fun () -> pager.Commit()) |> ignore
    fs.FailAfterOperations <- 0
    // A later commit must not be acknowledged: its fsync would not cover the lost records before it.
    tree.Upsert(ReadOnlySpan(key 3), ReadOnlySpan(value 3 10))
    let ex = Assert.Throws<LogFailedException>(fun () -> pager.Commit())
    Assert.Contains("must be reopened", ex.Message)
    Assert.NotNull(pager.LogFailure)
    Assert.Throws<LogFailedException>(fun () -> pager.Checkpoint()) |> ignore
    pager.Abandon()
    let got = recoverAndRead (fs.Crash(Random 6, 1.0, false, false))
    Assert.Equal<Map<int, byte[]>>(Map.ofList [ 1, value 1 10 ], got)

[<Fact>]
let ``WAL5 a checkpoint keeps the log file for reuse; records left from before it are never replayed`` () =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    // Fill the log with committed versions of keys 0..19, then checkpoint: the file keeps its length.
    for round in 1 .. 5 do
        for k in 0 .. 19 do
            tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k round))
        pager.Commit()
    pager.Checkpoint()
    use walAfterCheckpoint = fs.Open(dbPath + "-wal", false)
    Assert.True(walAfterCheckpoint.Length > 64L + int64 WriteAheadLog.GrowthBytes, "the checkpoint kept the log file's length")
    walAfterCheckpoint.Dispose()
    // One more commit overwrites the start of the file; then delete key 0 without committing and crash.
    tree.Upsert(ReadOnlySpan(key 3), ReadOnlySpan(value 3 30))
    pager.Commit()
    tree.Delete(ReadOnlySpan(key 0)) |> ignore
    pager.Abandon()
    use reopened = Pager.Open(dbPath, options fs)
    Assert.Equal(0L, reopened.Recovery.TailBytesDiscarded)
    Assert.Equal(1, reopened.Recovery.CommittedTransactions)
    let t = BTree(reopened, reopened.CatalogRootPageId)
    let got = scan t |> List.map (fun (k, v) -> int (KeyReader.Decode(ReadOnlySpan k).[0] :?> int64), v) |> Map.ofList
    let want = [ for k in 0 .. 19 -> k, value k (if k = 3 then 30 else 5) ] |> Map.ofList
    Assert.Equal<Map<int, byte[]>>(want, got)

/// A pager (512-byte pages, `frames` frames) on a fresh simulated file system holding keys 0..lastKey with
/// 20-byte values, committed and checkpointed, so the log holds nothing yet.
let private checkpointedTree (frames: int) (lastKey: int) =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, PagerOptions(PageSizeBytes = 512, CacheFrames = frames, FileSystem = fs))
    let tree = BTree(pager, pager.CatalogRootPageId)
    for k in 0 .. lastKey do tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k 20))
    pager.Commit()
    pager.Checkpoint()
    fs, pager, tree

/// Record types in the log file, in order.
let private logRecordTypes (fs: FaultInjectingFileSystem) =
    use wal = fs.Open(dbPath + "-wal", false)
    use db = fs.OpenReadOnly(dbPath, false)
    let prefix = Array.zeroCreate<byte> FileHeaderPage.FixedSize
    db.Read(Span prefix, 0L) |> ignore
    let scanned = WalScanner.Scan(wal, FileHeaderPage.ReadDatabaseId(ReadOnlySpan prefix), 512)
    Assert.Null(scanned.Damage)
    [ for r in scanned.Records -> r.Type ]

[<Fact>]
let ``PG2 a transaction whose pages stay in the pool logs no Undo record; a steal logs the Undo image before the Redo image`` () =
    let fs, pager, tree = checkpointedTree 64 9
    // A small update of existing pages: Redo images and a Commit, no Undo.
    tree.Upsert(ReadOnlySpan(key 3), ReadOnlySpan(value 3 21))
    pager.Commit()
    let small = logRecordTypes fs
    Assert.DoesNotContain(WalRecordType.Undo, small)
    Assert.Contains(WalRecordType.Redo, small)
    pager.Abandon()
    // With an 8-frame pool a large uncommitted change steals pages: every stolen page's Undo image is
    // logged before its first Redo image, and the crash leaves exactly the committed state.
    let fs2, p2, t2 = checkpointedTree 8 199
    for k in 0 .. 199 do t2.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k 30))
    let types = logRecordTypes fs2
    Assert.Contains(WalRecordType.Undo, types)
    Assert.True(List.findIndex ((=) WalRecordType.Undo) types < List.findIndex ((=) WalRecordType.Redo) types)
    p2.Abandon()
    let got = recoverAndRead fs2
    Assert.Equal<Map<int, byte[]>>(Map.ofList [ for k in 0 .. 199 -> k, value k 20 ], got)

[<Fact>]
let ``WAL a page already logged in full since the last checkpoint is logged as a delta, and recovery rebuilds it`` () =
    let fs, pager, tree = checkpointedTree 64 9
    tree.Upsert(ReadOnlySpan(key 3), ReadOnlySpan(value 3 21)) // first record of the page: a full image
    pager.Commit()
    Assert.DoesNotContain(WalRecordType.RedoDelta, logRecordTypes fs)
    tree.Upsert(ReadOnlySpan(key 4), ReadOnlySpan(value 4 22)) // later ones: deltas
    pager.Commit()
    tree.Upsert(ReadOnlySpan(key 5), ReadOnlySpan(value 5 23))
    pager.Commit()
    let types = logRecordTypes fs
    Assert.Equal(2, types |> List.filter ((=) WalRecordType.RedoDelta) |> List.length)
    // Crash without a checkpoint, with the data file holding a torn copy of the page: recovery starts
    // from the full image and applies the deltas.
    pager.Abandon()
    let crashed = fs.Crash(Random 3, 1.0, true, false)
    let got = recoverAndRead crashed
    let want = Map.ofList [ for k in 0 .. 9 -> k, value k (match k with 3 -> 21 | 4 -> 22 | 5 -> 23 | _ -> 20) ]
    Assert.Equal<Map<int, byte[]>>(want, got)

[<Fact>]
let ``WAL group commit: concurrent committers share fsyncs`` () =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 512))
    let tree = BTree(pager, pager.CatalogRootPageId)
    let latch = obj ()
    let before = pager.LogSyncCount
    let commits = 128
    // Start together: a thread started late on a loaded machine would otherwise commit alone.
    use start = new Threading.Barrier(8)
    let threads =
        [ for t in 0 .. 7 ->
            Threading.Thread(fun () ->
                start.SignalAndWait()
                for i in 0 .. commits / 8 - 1 do
                    let lsn =
                        lock latch (fun () ->
                            tree.Upsert(ReadOnlySpan(key (t * 1000 + i)), ReadOnlySpan(value t 8))
                            pager.CommitAppend())
                    pager.WaitDurable lsn) ]
    for t in threads do t.Start()
    for t in threads do t.Join()
    let syncs = pager.LogSyncCount - before
    Assert.True(syncs < int64 commits, sprintf "%d commits took %d fsyncs" commits syncs)
    Assert.Equal(commits, (scan tree).Length)
