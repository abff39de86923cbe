/// `foundry check` is read-only and reads the committed state through the log; `foundry recover` reports a
/// refused log (FND5120) and, with --accept-loss, opens it without the damaged part, saying what it dropped.
/// The databases here have an unrecovered log: their files are copied while a writer holds them open.
module Foundry.Cli.Tests.RecoverTests

open System
open System.IO
open System.Security.Cryptography
open Xunit
open Foundry.Engine
open Foundry.Cli.Tests.Cli

let private options = DatabaseOptions(PageSizeBytes = 512)

/// Copies a file the way an outside program would, ignoring the writer's advisory lock (File.Copy takes a shared lock).
let private copyLocked (source: string) (target: string) =
    use p = Diagnostics.Process.Start("cp", [ source; target ])
    p.WaitForExit()
    Assert.Equal(0, p.ExitCode)

let private sha (path: string) = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes path))

/// A database `name` in `dir` whose table t (300 rows) is checkpointed in the file and whose table r got
/// 40 single-row commits that are only in the log: the files are copied while the writer has them open.
let private unrecovered (dir: TempDir) (name: string) =
    let live = dir.File("live-" + name)
    do
        use db = Database.Open(live, options)
        runScript db "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); CREATE TABLE r (x INTEGER)"
        runScript db ("INSERT INTO t VALUES " + String.Join(", ", [ for i in 1..300 -> $"({i}, 'row {i}')" ]))
    let db = Database.Open(live, options)
    for i in 1..40 do
        runScript db $"INSERT INTO r VALUES ({i})"
    let copy = dir.File name
    copyLocked live copy
    copyLocked (live + "-wal") (copy + "-wal")
    db.Dispose()
    copy

let private count (path: string) (table: string) =
    use db = Database.Open(path, options)
    use s = db.OpenSession()
    use r = s.Execute($"SELECT count(*) FROM {table}")
    Assert.True(r.Read())
    r.GetValue 0 :?> int64

[<Fact>]
let ``check is read-only: a database with an unrecovered log keeps both files byte-identical and checks clean`` () =
    use dir = new TempDir()
    let db = unrecovered dir "a.foundry"
    let before = sha db, sha (db + "-wal")
    let r = run "" [ "check"; db ]
    Assert.Equal(0, r.ExitCode)
    Assert.Contains("committed state read through the log", r.Out)
    Assert.Contains("ok     table r ", r.Out)
    Assert.Equal(before, (sha db, sha (db + "-wal")))
    Assert.True(File.Exists(db + "-wal"))
    // The committed state it checked is what opening the database recovers.
    Assert.Equal(40L, count db "r")

[<Fact>]
let ``check on an unrecovered log still finds a real fault in a page the log does not replace`` () =
    use dir = new TempDir()
    let db = unrecovered dir "b.foundry"
    // Page 2 is table t's root, written at the checkpoint and not in the log (only r changed since).
    let page = 2L
    flipByte db (page * 512L + 511L)
    let before = sha db, sha (db + "-wal")
    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains($"PG4 page {page} at offset {page * 512L}: checksum mismatch", r.Out)
    Assert.Equal(before, (sha db, sha (db + "-wal")))

[<Fact>]
let ``a damaged log is refused with FND5120 naming the log and the offset; check and recover report it without writing`` () =
    use dir = new TempDir()
    let db = unrecovered dir "c.foundry"
    let wal = db + "-wal"
    flipByte wal 1000L
    let before = sha db, sha wal
    let e = Assert.Throws<FoundryException>(fun () -> Database.Open(db, options) |> ignore)
    Assert.Equal("FND5120", e.Code)
    Assert.Contains(wal, e.Message)
    Assert.Contains("offset 512", e.Message)
    let opened = run "" [ "exec"; db; "-c"; "SELECT 1" ]
    Assert.Equal(1, opened.ExitCode)
    Assert.Contains("FND5120", opened.Err)
    Assert.Contains("foundry recover", opened.Err)
    let check = run "" [ "check"; db ]
    Assert.Equal(1, check.ExitCode)
    Assert.Contains("RF write-ahead log", check.Out)
    Assert.Contains("damaged at offset 512", check.Out)
    let report = run "" [ "recover"; db ]
    Assert.Equal(1, report.ExitCode)
    Assert.Contains("refused (FND5120)", report.Out)
    Assert.Contains("commit record(s)", report.Out)
    Assert.Equal(before, (sha db, sha wal))

[<Fact>]
let ``recover --accept-loss keeps the log before the damage, prints what it dropped, and leaves a database that opens`` () =
    use dir = new TempDir()
    let db = unrecovered dir "d.foundry"
    let wal = db + "-wal"
    // Damage a sector in the second half of the log: the commits before it survive.
    let used = (File.ReadAllBytes wal |> Array.findIndexBack (fun b -> b <> 0uy)) + 1
    flipByte wal (int64 (used * 3 / 4))
    let r = run "" [ "recover"; db; "--accept-loss" ]
    Assert.Equal(0, r.ExitCode)
    Assert.Contains("dropped: drops log bytes at file offsets [", r.Out)
    Assert.Contains("opens again", r.Out)
    let kept = count db "r"
    Assert.InRange(kept, 1L, 39L)
    Assert.Equal(300L, count db "t")
    let check = run "" [ "check"; db ]
    Assert.Equal(0, check.ExitCode)
    let again = run "" [ "recover"; db ]
    Assert.Equal(0, again.ExitCode)
