/// The classic anomalies with two sessions on two threads. Foundry runs strict two-phase locking at
/// table granularity, so each is prevented — by blocking the second session until the first ends, or by
/// choosing a deadlock victim (FND5301) that is rolled back. Every wait has a timeout, so a bug makes a
/// test fail, never hang. docs/transactions.md has the table that cites these tests.
module Foundry.Engine.Tests.AnomalyTests

open System
open System.Threading.Tasks
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private blockedFor = TimeSpan.FromMilliseconds 300.0
let private finishWithin = TimeSpan.FromSeconds 10.0

let private value (s: Session) sql = (rows s sql).Head.Head :?> int64

/// Starts `f` on another thread; returns the task.
let private background (f: unit -> 'a) = Task.Run<'a>(Func<'a> f)

let private assertBlocked (t: Task) = Assert.False(t.Wait blockedFor, "the second session should be blocked")

let private assertFinishes (t: Task) = Assert.True(t.Wait finishWithin, "the blocked session should finish once the first ends")

let private setup () =
    let tmp = new TempDatabase()
    let db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO acct VALUES (1, 0), (2, 0)"
    tmp, db

[<Fact>]
let ``dirty read is prevented: a reader waits until the writer rolls back and sees the old value`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    use a = db.OpenSession()
    use b = db.OpenSession()
    a.Begin()
    exec a "UPDATE acct SET v = 100 WHERE id = 1" |> ignore
    let read = background (fun () -> value b "SELECT v FROM acct WHERE id = 1")
    assertBlocked read
    a.Rollback()
    assertFinishes read
    Assert.Equal(0L, read.Result)

[<Fact>]
let ``non-repeatable read is prevented: a writer waits until the reader's transaction ends`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    use a = db.OpenSession()
    use b = db.OpenSession()
    a.Begin()
    Assert.Equal(0L, value a "SELECT v FROM acct WHERE id = 1")
    let write = background (fun () -> exec b "UPDATE acct SET v = 5 WHERE id = 1")
    assertBlocked write
    Assert.Equal(0L, value a "SELECT v FROM acct WHERE id = 1")
    a.Commit()
    assertFinishes write
    Assert.Equal(5L, value a "SELECT v FROM acct WHERE id = 1")

[<Fact>]
let ``phantom is prevented: an insert into a range being read waits for the reader`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    use a = db.OpenSession()
    use b = db.OpenSession()
    a.Begin()
    Assert.Equal(2L, value a "SELECT count(*) FROM acct WHERE id > 0")
    let insert = background (fun () -> exec b "INSERT INTO acct VALUES (3, 0)")
    assertBlocked insert
    Assert.Equal(2L, value a "SELECT count(*) FROM acct WHERE id > 0")
    a.Commit()
    assertFinishes insert
    Assert.Equal(3L, value a "SELECT count(*) FROM acct WHERE id > 0")

/// Both read, both write: one of the two becomes the deadlock victim and is rolled back; the other commits.
/// Waits (boundedly) until `count` transactions are queued on locks: a background statement has really
/// reached its lock wait, not merely not finished yet (which on a loaded machine can mean not started).
let private waitForLockWaiters (db: Database) (count: int) =
    let deadline = System.DateTime.UtcNow.AddSeconds 10.0
    while db.LockWaiters < count && System.DateTime.UtcNow < deadline do
        System.Threading.Thread.Sleep 5
    Assert.True(db.LockWaiters >= count, sprintf "expected %d session(s) waiting for a lock" count)

let private readThenWriteConflict (db: Database) (a: Session) (b: Session) (readSql: string) (writeA: string) (writeB: string) =
    a.Begin()
    b.Begin()
    value a readSql |> ignore
    value b readSql |> ignore
    let first = background (fun () -> exec a writeA)
    assertBlocked first
    waitForLockWaiters db 1
    let e = error b writeB
    Assert.Equal("FND5301", e.Code)
    Assert.Contains("deadlock detected", e.Message)
    Assert.False(b.InTransaction, "the victim's transaction was rolled back")
    assertFinishes first
    a.Commit()

[<Fact>]
let ``lost update is prevented: of two read-modify-write transactions one is the deadlock victim and retries`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    use a = db.OpenSession()
    use b = db.OpenSession()
    readThenWriteConflict db a b "SELECT v FROM acct WHERE id = 1" "UPDATE acct SET v = 0 + 1 WHERE id = 1" "UPDATE acct SET v = 0 + 1 WHERE id = 1"
    // The victim retries, reading the committed value.
    b.Begin()
    let v = value b "SELECT v FROM acct WHERE id = 1"
    exec b (sprintf "UPDATE acct SET v = %d WHERE id = 1" (v + 1L)) |> ignore
    b.Commit()
    Assert.Equal(2L, value a "SELECT v FROM acct WHERE id = 1")

[<Fact>]
let ``write skew is prevented: two transactions that each keep an invariant cannot both commit`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    use a = db.OpenSession()
    use b = db.OpenSession()
    // Invariant: at least one of the two accounts has v = 1 (both "on call").
    exec a "UPDATE acct SET v = 1" |> ignore
    readThenWriteConflict db a b "SELECT count(*) FROM acct WHERE v = 1" "UPDATE acct SET v = 0 WHERE id = 1" "UPDATE acct SET v = 0 WHERE id = 2"
    Assert.Equal(1L, value a "SELECT count(*) FROM acct WHERE v = 1")

[<Fact>]
let ``many sessions on threads commit concurrently without losing a row`` () =
    let tmp, db = setup ()
    use _ = tmp
    use _ = db
    do
        use s = db.OpenSession()
        script s "CREATE TABLE log (id INTEGER PRIMARY KEY, who INTEGER)"
    let workers =
        [ for w in 0 .. 7 ->
            background (fun () ->
                use s = db.OpenSession()
                for i in 0 .. 24 do
                    exec s (sprintf "INSERT INTO log VALUES (%d, %d)" (w * 1000 + i) w) |> ignore
                0) ]
    for t in workers do assertFinishes t
    use s = db.OpenSession()
    Assert.Equal(200L, value s "SELECT count(*) FROM log")
    Assert.Empty(db.Validate())
