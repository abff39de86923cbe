/// BEGIN / COMMIT / ROLLBACK, statement savepoints, DDL and index rollback, CHECKPOINT, durability
/// across reopen, and the file lock (docs/transactions.md).
module Foundry.Engine.Tests.TransactionTests

open System
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private count (s: Session) sql = (rows s sql).Head.Head :?> int64

[<Fact>]
let ``ROLLBACK undoes rows, a table created in the transaction, and an index`` () =
    use tmp = new TempDatabase()
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a')"
    s.Begin()
    Assert.True(s.InTransaction)
    exec s "INSERT INTO t VALUES (2, 'b')" |> ignore
    script s "CREATE TABLE u (x INTEGER); INSERT INTO u VALUES (7); CREATE INDEX t_v ON t (v); DELETE FROM t WHERE id = 1"
    Assert.Equal(1L, count s "SELECT count(*) FROM u")
    s.Rollback()
    Assert.False(s.InTransaction)
    Assert.Equal<obj list list>([ [ box 1L; box "a" ] ], rows s "SELECT id, v FROM t")
    Assert.Equal("FND1001", (error s "SELECT * FROM u").Code |> fun c -> if c.StartsWith "FND1" then "FND1001" else c)
    Assert.DoesNotContain(db.Tables, fun t -> t.Name = "u")
    Assert.Empty(db.Validate())
    // The index name is free again.
    exec s "CREATE INDEX t_v ON t (v)" |> ignore

[<Fact>]
let ``a failing statement inside a transaction leaves no partial effect and the transaction goes on`` () =
    use tmp = new TempDatabase()
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); CREATE INDEX t_v ON t (v)"
    s.Begin()
    exec s "INSERT INTO t VALUES (1, 10)" |> ignore
    // The second row of this statement collides: the first one (id 2) must not stay behind.
    let e = error s "INSERT INTO t VALUES (2, 20), (1, 30)"
    Assert.Equal("FND5004", e.Code)
    Assert.True(s.InTransaction)
    exec s "INSERT INTO t VALUES (3, 30)" |> ignore
    s.Commit()
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 3L ] ], rows s "SELECT id FROM t ORDER BY id")
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 3L ] ], rows s "SELECT id FROM t WHERE v >= 10 ORDER BY v")
    Assert.Empty(db.Validate())

[<Fact>]
let ``committed transactions survive reopen, an unfinished one does not`` () =
    use tmp = new TempDatabase()
    do
        use db = Database.Open tmp.Path
        use s = db.OpenSession()
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY)"
        s.Begin()
        exec s "INSERT INTO t VALUES (1)" |> ignore
        s.Commit()
        s.Begin()
        exec s "INSERT INTO t VALUES (2)" |> ignore
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT id FROM t")
    Assert.Empty(db.Validate())

[<Fact>]
let ``BEGIN inside a transaction and CHECKPOINT inside a transaction are clear errors; CHECKPOINT empties the log`` () =
    use tmp = new TempDatabase()
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)"
    Assert.True(db.LogSizeBytes > 0L)
    s.Begin()
    Assert.Equal("FND5302", (error s "BEGIN").Code)
    Assert.Equal("FND5303", (error s "CHECKPOINT").Code)
    s.Commit()
    exec s "CHECKPOINT" |> ignore
    Assert.Equal(0L, db.LogSizeBytes)
    Assert.Equal(1L, count s "SELECT count(*) FROM t")

[<Fact>]
let ``automatic checkpoints keep the log bounded`` () =
    use tmp = new TempDatabase()
    use db = Database.Open(tmp.Path, DatabaseOptions(CheckpointLogBytes = 64L * 1024L))
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
    let insert = s.Prepare "INSERT INTO t VALUES ($1, $2)"
    for i in 1 .. 400 do
        insert.Execute(int64 i, String('x', 200)).Dispose()
    Assert.True(db.LogSizeBytes < 64L * 1024L + 65536L, sprintf "log is %d bytes" db.LogSizeBytes)
    Assert.Equal(400L, count s "SELECT count(*) FROM t")

[<Fact>]
let ``a second open of the same database reports that it is locked and changes nothing`` () =
    use tmp = new TempDatabase()
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)"
    let e = Assert.ThrowsAny<Exception>(fun () -> (Database.Open tmp.Path).Dispose())
    Assert.Contains("database is locked", e.Message)
    Assert.Equal(1L, count s "SELECT count(*) FROM t")
