/// Out of disk space: a clear FND5110 "disk full" error, never an internal error; after the log failed,
/// every statement of every session answers FND5111 "must be reopened" (never "table does not exist");
/// and reopening needs no more free space than the files already hold (PG7: the pager reserves the
/// database file's pages before it hands them out, so recovery only overwrites).
module Foundry.Engine.Tests.DiskFullTests

open System
open System.Diagnostics
open System.IO
open Xunit
open Xunit.Abstractions
open Foundry.Engine
open Foundry.Storage
open Foundry.Engine.Tests.Sql

let private text = String('x', 500)

let private options (fs: IStorageFileSystem) =
    DatabaseOptions(PageSizeBytes = 4096, CacheFrames = 64, FileSystem = fs)

/// The FoundryException of one statement, or None when it succeeds.
let private attempt (s: Session) (sql: string) =
    try
        script s sql
        None
    with :? FoundryException as e -> Some e

let private count (s: Session) table =
    match rows s (sprintf "SELECT count(*) FROM %s" table) with
    | [ [ n ] ] -> unbox<int64> n
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``a full disk when the data file must grow is FND5110 and the session goes on`` () =
    let fs = FaultInjectingFileSystem()
    use db = Database.Open("full.foundry", options fs)
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
    script s (sprintf "INSERT INTO t VALUES (0, '%s')" text)
    fs.SpaceLimitBytes <- Nullable fs.UsedBytes
    let mutable acknowledged = 1L
    let mutable failure = None
    while failure.IsNone && acknowledged < 100_000L do
        match attempt s (sprintf "INSERT INTO t VALUES (%d, '%s')" acknowledged text) with
        | Some e -> failure <- Some e
        | None -> acknowledged <- acknowledged + 1L
    let e = Option.get failure
    Assert.Equal("FND5110", e.Code)
    Assert.StartsWith("disk full", e.Message)
    Assert.Contains("full.foundry", e.Message)
    // The statement changed nothing and the database goes on: reads, and writes once there is space.
    Assert.Equal(acknowledged, count s "t")
    fs.SpaceLimitBytes <- Nullable()
    script s (sprintf "INSERT INTO t VALUES (%d, '%s')" acknowledged text)
    Assert.Equal(acknowledged + 1L, count s "t")
    Assert.Empty(db.Validate())

[<Fact>]
let ``after the log fails on a full disk every session must reopen, and reopening needs no free space`` () =
    let fs = FaultInjectingFileSystem()
    let opts = options fs
    do
        use db = Database.Open("log.foundry", opts)
        use s = db.OpenSession()
        use other = db.OpenSession()
        script s "CREATE TABLE keep (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT)"
        script s "INSERT INTO keep VALUES (1, 'a'), (2, 'b'), (3, 'c')"
        script s (sprintf "INSERT INTO filler WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) SELECT x, '%s' FROM c" text)
        // Free pages inside the file for the next inserts, and cut the log to its header: from here on
        // only the log needs new space.
        script s "DELETE FROM filler; CHECKPOINT"
        fs.SpaceLimitBytes <- Nullable fs.UsedBytes
        let e = Option.get (attempt s (sprintf "INSERT INTO filler VALUES (1, '%s')" text))
        Assert.Equal("FND5110", e.Code)
        Assert.StartsWith("disk full", e.Message)
        Assert.Contains("log.foundry-wal", e.Message)
        // Every later statement, on this session and any other, says to reopen; the tables still exist.
        for session in [ s; other; db.OpenSession() ] do
            for sql in [ "SELECT count(*) FROM keep"; "INSERT INTO keep VALUES (4, 'd')"; "CREATE TABLE x (a INTEGER)"; "BEGIN" ] do
                let again = Option.get (attempt session sql)
                Assert.Equal("FND5111", again.Code)
                Assert.Contains("must be reopened", again.Message)
                Assert.DoesNotContain("does not exist", again.Message)
    // No space was freed: recovery overwrites pages inside the file and the log only shrinks.
    use reopened = Database.Open("log.foundry", opts)
    use s = reopened.OpenSession()
    Assert.Equal<obj list list>([ [ box 1L; box "a" ]; [ box 2L; box "b" ]; [ box 3L; box "c" ] ], rows s "SELECT id, v FROM keep ORDER BY id")
    Assert.Equal(0L, count s "filler")
    Assert.Empty(reopened.Validate())

[<Fact>]
let ``a failed write or sync of an explicit transaction's commit is FND5110, then FND5111, and the transaction is all or nothing on reopen`` () =
    for failing in 1..2 do
        let fs = FaultInjectingFileSystem()
        let opts = options fs
        do
            use db = Database.Open("commit.foundry", opts)
            use s = db.OpenSession()
            use reader = db.OpenSession()
            script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'acknowledged')"
            s.Begin()
            script s "INSERT INTO t VALUES (2, 'in flight'), (3, 'in flight')"
            // The commit's operations on the log: the records' write, then the fsync (its space is preallocated).
            fs.DiskFullAfterOperations <- failing
            let e = Assert.Throws<FoundryException>(fun () -> s.Commit())
            Assert.True((e.Code = "FND5110" || e.Code = "FND5111"), sprintf "operation %d: %s %s" failing e.Code e.Message)
            Assert.False(s.InTransaction)
            Assert.Equal("FND5111", (Option.get (attempt reader "SELECT count(*) FROM t")).Code)
            Assert.Equal("FND5111", (Option.get (attempt s "SELECT count(*) FROM t")).Code)
        // The sessions and the database closed without throwing; the in-flight transaction is all or nothing.
        use reopened = Database.Open("commit.foundry", opts)
        use s = reopened.OpenSession()
        let n = count s "t"
        Assert.True((n = 1L || n = 3L), sprintf "operation %d: %d rows" failing n)
        Assert.Equal<obj list list>([ [ box "acknowledged" ] ], rows s "SELECT v FROM t WHERE id = 1")

/// Mounts a small tmpfs for the test (CI runs as root) and unmounts it after.
type private Tmpfs(sizeBytes: int64) =
    let dir = Path.Combine(Path.GetTempPath(), "foundry-tmpfs-" + Guid.NewGuid().ToString("N"))
    let run (program: string) (args: string list) =
        let info = ProcessStartInfo(program)
        for a in args do info.ArgumentList.Add a
        info.RedirectStandardError <- true
        use p = Process.Start info
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, err
    do Directory.CreateDirectory dir |> ignore
    let mounted = run "mount" [ "-t"; "tmpfs"; "-o"; sprintf "size=%d" sizeBytes; "tmpfs"; dir ]
    member _.Path = dir
    member _.Mounted = mounted
    interface IDisposable with
        member _.Dispose() =
            if fst mounted = 0 then run "umount" [ dir ] |> ignore
            try Directory.Delete(dir, true) with _ -> ()

/// Mounting needs root: CI runs as root. Without it these fail with the reason rather than pass unrun
/// (the fault-injecting tests above cover the same paths without a real device).
let private requireRoot () =
    if Environment.UserName <> "root" then
        failwith "this test mounts a tmpfs, which needs root: run the tests as root (CI does)"

type RealFileSystemTests(output: ITestOutputHelper) =
    [<Fact>]
    member _.``a spill file on a full tmpfs is FND5110 disk full, and the session goes on`` () =
        requireRoot ()
        use tmpfs = new Tmpfs(1L <<< 20)
        let code, err = tmpfs.Mounted
        Assert.True((code = 0), sprintf "mount -t tmpfs failed (%d): %s" code err)
        use db = Database.OpenTemporary(DatabaseOptions(SpillDirectory = tmpfs.Path, OperatorMemoryBytes = Nullable 4096L))
        use s = db.OpenSession()
        // 20,000 rows of over 100 bytes: a sort at a 4 KiB budget spills about 2 MiB onto a 1 MiB device.
        script s (sprintf "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t SELECT x, '%s' || x FROM %s" (String('y', 100)) (series 20000))
        let e = Assert.Throws<FoundryException>(fun () -> rows s "SELECT v FROM t ORDER BY v DESC" |> ignore)
        Assert.Equal("FND5110", e.Code)
        Assert.Contains("disk full", e.Message)
        Assert.Empty(Directory.GetFiles tmpfs.Path)
        Assert.Equal(20000L, count s "t")
        Assert.Equal<obj list list>([ [ box (String('y', 100) + "9999") ] ], rows s "SELECT v FROM t ORDER BY v DESC LIMIT 1")

    [<Fact>]
    member _.``a real tmpfs that fills up gives FND5110, then FND5111 once the log fails, and reopens without freeing space`` () =
        requireRoot ()
        do
            use tmpfs = new Tmpfs(3L <<< 20)
            let code, err = tmpfs.Mounted
            Assert.True((code = 0), sprintf "mount -t tmpfs failed (%d): %s" code err)
            let path = Path.Combine(tmpfs.Path, "real.foundry")
            let mutable acknowledged = 0L
            let codes = Collections.Generic.List<string>()
            do
                use db = Database.Open path
                use s = db.OpenSession()
                script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
                // Inserts until the disk is full, then updates (which need log space, not pages) until the log fails.
                let mutable attempts = 0
                while not (codes.Contains "FND5111") && attempts < 200_000 do
                    attempts <- attempts + 1
                    let sql =
                        if codes.Count = 0 then sprintf "INSERT INTO t VALUES (%d, '%s')" (acknowledged + 1L) text
                        else sprintf "UPDATE t SET v = '%d%s' WHERE id = %d" attempts (text.Substring 10) (1L + int64 attempts % max 1L acknowledged)
                    match attempt s sql with
                    | None -> if codes.Count = 0 then acknowledged <- acknowledged + 1L
                    | Some e ->
                        Assert.True(e.Code = "FND5110" || e.Code = "FND5111", sprintf "%s %s" e.Code e.Message)
                        codes.Add e.Code
                output.WriteLine(sprintf "%d rows acknowledged; errors: %s" acknowledged (String.Join(", ", codes |> Seq.distinct)))
                Assert.Equal("FND5110", codes[0])
                Assert.Contains("FND5111", codes)
                let e = Option.get (attempt (db.OpenSession()) "SELECT count(*) FROM t")
                Assert.Equal("FND5111", e.Code)
            use reopened = Database.Open path
            use s = reopened.OpenSession()
            Assert.Equal(acknowledged, count s "t")
            Assert.Empty(reopened.Validate())
