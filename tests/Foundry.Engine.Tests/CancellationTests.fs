/// Stopping statements (docs/transactions.md, "Cancellation and timeouts"): Session.Cancel from another
/// thread, a CancellationToken, the statement timeout and the lock timeout. After each the statement's
/// effects are undone and the session runs its next statement.
module Foundry.Engine.Tests.CancellationTests

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Xunit
open Foundry.Engine
open Foundry.Runtime
open Foundry.Engine.Tests.Sql

/// Five tables of 100 rows: their cross join has 10,000,000,000 rows, hours of counting.
let private fiveTables (s: Session) =
    for t in 1..5 do
        exec s (sprintf "CREATE TABLE t%d (id INTEGER PRIMARY KEY)" t) |> ignore
        exec s (sprintf "INSERT INTO t%d SELECT x FROM %s" t (series 100))
        |> ignore

let private crossCount = "SELECT count(*) FROM t1, t2, t3, t4, t5"

/// The error a statement run on another thread ends with, and how long it ran. `stop` is repeated every
/// 100 ms, because a cancel that comes before the statement has started reaches nothing (by design).
let private failsWith (run: unit -> unit) (stop: unit -> unit) : FoundryException * TimeSpan =
    let clock = Stopwatch.StartNew()
    let task = Task.Run(fun () -> try run (); None with :? FoundryException as e -> Some e)
    Thread.Sleep 200
    while not (task.Wait 100) && clock.Elapsed < TimeSpan.FromSeconds 20. do
        stop ()
    Assert.True(task.IsCompleted, "the statement did not stop")
    match task.Result with
    | Some e -> e, clock.Elapsed
    | None -> failwith "the statement finished instead of being stopped"

let private assertUsable (s: Session) =
    Assert.Equal<obj list list>([ [ box 100L ] ], rows s "SELECT count(*) FROM t1")

[<Fact>]
let ``Session.Cancel from another thread stops a five-table cross join count`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    fiveTables s
    let e, elapsed = failsWith (fun () -> rows s crossCount |> ignore) s.Cancel
    Assert.Equal("FND5701", e.Code)
    Assert.Equal("canceling statement due to user request", e.Message)
    Assert.True(elapsed < TimeSpan.FromSeconds 10., sprintf "stopping took %O" elapsed)
    assertUsable s

[<Fact>]
let ``a cancelled CancellationToken stops the statement, and one cancelled before it starts stops it at once`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    fiveTables s
    use cts = new CancellationTokenSource()
    let e, _ =
        failsWith
            (fun () ->
                use r = s.Execute(crossCount, cts.Token)
                r.Read() |> ignore)
            cts.Cancel
    Assert.Equal("FND5701", e.Code)
    assertUsable s
    let early = Assert.Throws<FoundryException>(fun () -> (use r = s.Execute(crossCount, cts.Token) in r.Read() |> ignore))
    Assert.Equal("FND5701", early.Code)
    assertUsable s

[<Fact>]
let ``Cancel with no statement running does not affect the next statement`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    fiveTables s
    s.Cancel()
    assertUsable s

[<Fact>]
let ``the statement timeout stops a cross join count and a long ORDER BY, and the session goes on`` () =
    use db = Database.OpenTemporary(DatabaseOptions(StatementTimeout = Nullable(TimeSpan.FromMilliseconds 400.)))
    use s = db.OpenSession()
    fiveTables s
    let clock = Stopwatch.StartNew()
    let e = error s crossCount
    Assert.Equal("FND5702", e.Code)
    Assert.Equal("canceling statement due to statement timeout", e.Message)
    Assert.True(clock.Elapsed < TimeSpan.FromSeconds 10.)
    // A full sort (no LIMIT, so not a Top-N) of 100,000,000 rows: stopped while its input is consumed.
    let sorted = error s "SELECT t1.id, t2.id, t3.id, t4.id FROM t1, t2, t3, t4 ORDER BY t4.id DESC, t3.id, t2.id"
    Assert.Equal("FND5702", sorted.Code)
    assertUsable s
    s.StatementTimeout <- Nullable()
    Assert.Equal<obj list list>([ [ box 1000000L ] ], rows s "SELECT count(*) FROM t1, t2, t3")

[<Fact>]
let ``a cancelled change is undone and the explicit transaction goes on`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    fiveTables s
    exec s "CREATE TABLE sink (a INTEGER, b INTEGER)" |> ignore
    s.Begin()
    exec s "INSERT INTO sink VALUES (0, 0)" |> ignore
    let e, _ = failsWith (fun () -> exec s "INSERT INTO sink SELECT t1.id, t2.id FROM t1, t2, t3, t4, t5" |> ignore) s.Cancel
    Assert.Equal("FND5701", e.Code)
    Assert.True(s.InTransaction)
    Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT count(*) FROM sink")
    s.Commit()
    Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT count(*) FROM sink")
    Assert.Empty(db.Validate())

[<Fact>]
let ``the sort polls the stop request between comparisons`` () =
    let buffer = ColumnBuffer(1)
    for i in 1..100_000 do
        let row = buffer.AddRow()
        buffer.SetInt64(0, row, int64 (i * 7919 % 100_003))
    let interrupt = StatementInterrupt()
    interrupt.Request InterruptReason.UserRequest
    let compare = Func<ColumnBuffer, int, int, int>(fun b x y -> compare (b.GetInt64(0, x)) (b.GetInt64(0, y)))
    let e = Assert.Throws<FoundryRuntimeException>(fun () -> buffer.Sort(compare, interrupt))
    Assert.Equal(RuntimeErrors.CanceledByUser, e.Code)
    buffer.Sort(compare, StatementInterrupt())
    Assert.Equal(100_000, buffer.Order.Length)

[<Fact>]
let ``a session blocked behind another session's open reader gets the lock timeout instead of hanging`` () =
    use tmp = new TempDatabase()
    use db = Database.Open(tmp.Path, DatabaseOptions(LockTimeout = TimeSpan.FromMilliseconds 300.))
    use reader = db.OpenSession()
    use writer = db.OpenSession()
    script reader "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 1), (2, 2)"
    // A forgotten reader: one row read, the result left open, so its shared lock on t stays held.
    let forgotten = reader.Execute "SELECT id FROM t"
    Assert.True(forgotten.Read())
    let clock = Stopwatch.StartNew()
    let e = error writer "UPDATE t SET v = 10"
    Assert.Equal("FND5503", e.Code)
    Assert.StartsWith("canceling statement due to lock timeout", e.Message)
    Assert.Contains("table \"t\"", e.Message)
    Assert.True(clock.Elapsed < TimeSpan.FromSeconds 5., sprintf "the wait took %O" clock.Elapsed)
    Assert.Equal(0, db.LockWaiters)
    // The blocked session is usable, and once the reader is done its UPDATE goes through.
    Assert.Equal<obj list list>([ [ box 2L ] ], rows writer "SELECT count(*) FROM t")
    forgotten.Dispose()
    Assert.Equal(2L, exec writer "UPDATE t SET v = 10")

[<Fact>]
let ``Cancel stops a statement that is waiting for a lock`` () =
    use tmp = new TempDatabase()
    use db = Database.Open(tmp.Path, DatabaseOptions(LockTimeout = Timeout.InfiniteTimeSpan))
    use reader = db.OpenSession()
    use writer = db.OpenSession()
    script reader "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2)"
    use forgotten = reader.Execute "SELECT id FROM t"
    Assert.True(forgotten.Read())
    let e, elapsed = failsWith (fun () -> exec writer "DELETE FROM t" |> ignore) writer.Cancel
    Assert.Equal("FND5701", e.Code)
    Assert.True(elapsed < TimeSpan.FromSeconds 5.)
    Assert.Equal(0, db.LockWaiters)

[<Fact>]
let ``spilling operators' merge and partition passes poll the statement's stop request`` () =
    // Sort runs are merged and spilled partitions re-read inside one call of the statement's delegate,
    // between the generated loop's own checks: OperatorMemory.RowProcessed must see the statement's request.
    let path = IO.Path.Combine(IO.Path.GetTempPath(), $"foundry-{Guid.NewGuid():N}.foundry")
    try
        use pager = Foundry.Storage.Pager.Open path
        let interrupt = StatementInterrupt()
        use memory = new OperatorMemory(1L)
        let context = StatementContext(pager, [||], interrupt, memory)
        for _ in 1 .. 2 * StatementInterrupt.PollInterval do context.Memory.RowProcessed()
        interrupt.Request InterruptReason.StatementTimeout
        let e =
            Assert.Throws<FoundryRuntimeException>(fun () ->
                for _ in 1 .. StatementInterrupt.PollInterval do context.Memory.RowProcessed())
        Assert.Equal(RuntimeErrors.StatementTimeout, e.Code)
    finally
        for file in [ path; path + "-wal" ] do
            if IO.File.Exists file then IO.File.Delete file
