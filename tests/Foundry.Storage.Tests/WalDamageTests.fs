/// What recovery refuses (docs/storage.md, "What recovery refuses"): a WAL is bound to its database (a
/// database id in both headers, WB1) and to the canonical path of the database file (WB2); a damaged
/// header, a damaged sector, or a synced part of the log after a gap is refused with an error naming the
/// log and the offset (RF1–RF3), while a torn tail (the unsynced end of a write, RF4) is cut and reported.
/// The byte-flip sweep flips every used byte of a small log, one at a time, and demands for each flip
/// that every acknowledged commit is present or the open is refused — never a silent loss.
module Foundry.Storage.Tests.WalDamageTests

open System
open System.IO
open System.Threading.Tasks
open Xunit
open Xunit.Abstractions
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

let private dbPath = "/sim/damage.foundry"
let private walPath = dbPath + "-wal"

let private key (k: int) = KeyWriter().WriteInt64(int64 k).ToArray()
let private value (k: int) = Array.init (8 + k % 40) (fun i -> byte (k * 7 + i))

let private options (fs: IStorageFileSystem) =
    PagerOptions(PageSizeBytes = 512, CacheFrames = 64, FileSystem = fs)

/// `commits` acknowledged commits of one key each (every fifth also rewrites an earlier key), after a
/// checkpoint of `preloaded` keys; then the writer is killed (Abandon), so the log holds them all.
let private workload (preloaded: int) (commits: int) =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    let mutable model = Map.empty
    for k in 0 .. preloaded - 1 do
        tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k))
        model <- Map.add k (value k) model
    pager.Commit()
    pager.Checkpoint()
    for i in 0 .. commits - 1 do
        let k = preloaded + i
        tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k))
        model <- Map.add k (value k) model
        if i % 5 = 4 then
            let old = i % preloaded
            tree.Upsert(ReadOnlySpan(key old), ReadOnlySpan(value (old + 1000)))
            model <- Map.add old (value (old + 1000)) model
        pager.Commit()
    pager.Abandon()
    fs, model

/// A copy of the crashed files with every write kept (all of them were synced by their commits).
let private copyOf (fs: FaultInjectingFileSystem) = fs.Crash(Random 1, 1.0, false, false)

let private flip (fs: FaultInjectingFileSystem) (path: string) (offset: int64) =
    use f = fs.Open(path, false)
    let b = Array.zeroCreate<byte> 1
    f.Read(Span b, offset) |> ignore
    b[0] <- b[0] ^^^ 0x5Auy
    f.Write(ReadOnlySpan b, offset)
    f.Sync()

let private contents (pager: Pager) =
    let tree = BTree(pager, pager.CatalogRootPageId)
    scan tree |> List.map (fun (k, v) -> int (KeyReader.Decode(ReadOnlySpan k).[0] :?> int64), v) |> Map.ofList

let private refusal (fs: IStorageFileSystem) =
    let ex = Assert.ThrowsAny<StorageException>(fun () -> Pager.Open(dbPath, options fs) |> ignore)
    Assert.Contains(walPath, ex.Message)
    Assert.Contains("offset", ex.Message)
    ex

/// File offset just past the last sector of the log that holds records.
let private usedEnd (fs: FaultInjectingFileSystem) =
    let bytes = fs.Contents walPath
    let mutable last = bytes.Length - 1
    while last >= 0 && bytes[last] = 0uy do
        last <- last - 1
    int64 last + 1L

[<Fact>]
let ``RF1 a flipped byte in the WAL header refuses the open, naming the log and the offset`` () =
    let fs, _ = workload 10 20
    for offset in [ 0L; 5L; 20L; 30L; 44L ] do
        let copy = copyOf fs
        flip copy walPath offset
        refusal copy |> ignore

[<Fact>]
let ``RF2 a flipped byte in a record followed by valid records refuses the open`` () =
    let fs, _ = workload 10 40
    let copy = copyOf fs
    flip copy walPath (usedEnd fs / 2L)
    refusal copy |> ignore

[<Fact>]
let ``RF2 a flipped byte in the last commit's records refuses the open: it is not a torn tail`` () =
    let fs, _ = workload 10 40
    let copy = copyOf fs
    flip copy walPath (usedEnd fs - 20L)
    refusal copy |> ignore

[<Fact>]
let ``WB1 the log of another database is refused, not replayed or ignored`` () =
    let fsA, _ = workload 10 20
    let fsB, _ = workload 10 20
    let mixed = copyOf fsA
    use wal = mixed.Open(walPath, false)
    let other = fsB.Contents walPath
    wal.SetLength 0L
    wal.Write(ReadOnlySpan other, 0L)
    wal.Sync()
    wal.Dispose()
    let ex = refusal mixed
    Assert.Contains("another database", ex.Message)

[<Fact>]
let ``RF4 a torn tail (the unsynced end of the last write) is cut off and reported`` () =
    let fs = FaultInjectingFileSystem()
    let pager = Pager.Open(dbPath, options fs)
    let tree = BTree(pager, pager.CatalogRootPageId)
    tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan(value 1))
    pager.Commit()
    let durableEnd = (int (usedEnd fs) + 511) / 512 * 512
    // A large transaction whose records are written but never synced: a crash keeps only some of them.
    for k in 2 .. 40 do
        tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(Array.create 300 (byte k)))
    pager.Commit()
    let full = fs.Contents walPath
    pager.Abandon()
    // Keep the durable log plus the first sectors of the unsynced write (a write torn at a sector boundary).
    let torn = FaultInjectingFileSystem()
    let keep = durableEnd + 1024
    for path, bytes in [ dbPath, fs.Contents dbPath; walPath, Array.append full[.. keep - 1] (Array.zeroCreate (full.Length - keep)) ] do
        use f = torn.Open(path, false)
        f.Write(ReadOnlySpan bytes, 0L)
        f.Sync()
    use reopened = Pager.Open(dbPath, options torn)
    Assert.True(reopened.Recovery.TailBytesDiscarded > 0L, string reopened.Recovery)
    Assert.Contains("torn tail", string reopened.Recovery)
    Assert.Equal<Map<int, byte[]>>(Map.ofList [ 1, value 1 ], contents reopened)

[<Fact>]
let ``WB2 a database opened through a symlink and through its real path shares one log and one lock`` () =
    use tmp = new TempPath()
    let link = Path.Combine(Path.GetDirectoryName tmp.Path, "link.foundry")
    File.CreateSymbolicLink(link, tmp.Path) |> ignore
    do
        let pager = Pager.Open(link, smallPages)
        Assert.Equal(tmp.Path + "-wal", pager.LogPath)
        // The lock is the real file's: opening the real path while the link is open is refused.
        let locked = Assert.Throws<StorageException>(fun () -> Pager.Open(tmp.Path, smallPages) |> ignore)
        Assert.Contains("locked", locked.Message)
        let tree = BTree(pager, pager.CatalogRootPageId)
        for k in 0 .. 299 do
            tree.Upsert(ReadOnlySpan(key k), ReadOnlySpan(value k))
        pager.Commit()
        pager.Abandon() // crash: the rows are only in the log
    use reopened = Pager.Open(tmp.Path, smallPages)
    Assert.Equal(300, (contents reopened).Count)

type WalByteFlipSweep(output: ITestOutputHelper) =
    [<Fact>]
    member _.``RF1-RF4 flipping any used byte of the WAL leaves every acknowledged commit or refuses the open``() =
        let fs, model = workload 20 100
        let crashed = copyOf fs
        let db = crashed.Contents dbPath
        let used = int (usedEnd crashed)
        // The preallocated zeros after the last sector are unwritten sectors (SC3): leave them out of the copies.
        let wal = (crashed.Contents walPath)[.. (used + 511) / 512 * 512 - 1]
        let records =
            use w = crashed.Open(walPath, false)
            use d = crashed.Open(dbPath, false)
            let prefix = Array.zeroCreate<byte> FileHeaderPage.FixedSize
            d.Read(Span prefix, 0L) |> ignore
            (WalScanner.Scan(w, FileHeaderPage.ReadDatabaseId(ReadOnlySpan prefix), 512)).Records.Count
        let watch = Diagnostics.Stopwatch.StartNew()
        let intact = ref 0
        let refused = ref 0
        let failures = Collections.Concurrent.ConcurrentQueue<string>()
        let one (offset: int) =
            let copy = FaultInjectingFileSystem()
            let flipped = Array.copy wal
            flipped[offset] <- flipped[offset] ^^^ 0x5Auy
            for path, bytes in [ dbPath, db; walPath, flipped ] do
                use f = copy.Open(path, false)
                f.Write(ReadOnlySpan bytes, 0L)
                f.Sync()
            try
                let pager = Pager.Open(dbPath, options copy)
                let got = contents pager
                pager.Abandon()
                if got = model then Threading.Interlocked.Increment intact |> ignore
                else failures.Enqueue(sprintf "offset %d: opened with %d of %d keys or wrong values (silent loss)" offset got.Count model.Count)
            with
            | :? WalRefusedException as e when e.Message.Contains walPath -> Threading.Interlocked.Increment refused |> ignore
            | e -> failures.Enqueue(sprintf "offset %d: %s: %s" offset (e.GetType().Name) e.Message)
        Parallel.For(0, used, ParallelOptions(MaxDegreeOfParallelism = 2), (fun i -> one i)) |> ignore
        output.WriteLine(
            sprintf "WAL byte-flip sweep: %d bytes flipped (log of %d records, 101 acknowledged commits), %d opened with every commit, %d refused, %d failures, %.1f s"
                used records intact.Value refused.Value failures.Count watch.Elapsed.TotalSeconds)
        Assert.True(failures.IsEmpty, String.Join("\n", Seq.truncate 20 failures))
        Assert.Equal(used, intact.Value + refused.Value)
