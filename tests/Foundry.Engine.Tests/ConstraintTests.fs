/// Constraints: DEFAULT fills omitted columns, CHECK rejects rows that make it FALSE (NULL passes),
/// and a statement that violates one changes nothing.
module Foundry.Engine.Tests.ConstraintTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

[<Fact>]
let ``defaults fill omitted columns and survive a reopen`` () =
    use tmp = new TempDatabase()
    (
        use db = Database.Open tmp.Path
        use s = db.OpenSession()
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new', score REAL DEFAULT (1.5 * 2), note TEXT)"
        exec s "INSERT INTO t (id) VALUES (1)" |> ignore
        exec s "INSERT INTO t (id, status) VALUES (2, 'done')" |> ignore
    )
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    exec s "INSERT INTO t (id, note) VALUES (3, 'x')" |> ignore
    Assert.Equal<obj list list>(
        [ [ box 1L; box "new"; box 3.0; null ]; [ box 2L; box "done"; box 3.0; null ]; [ box 3L; box "new"; box 3.0; box "x" ] ],
        rows s "SELECT * FROM t")
    Assert.Equal("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new', score REAL DEFAULT (1.5 * 2), note TEXT)", db.Tables[0].ToSql())

[<Fact>]
let ``a default of the wrong type is rejected when the table is created`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    Assert.Equal("FND1011", (error s "CREATE TABLE t (id INTEGER DEFAULT 'x')").Code)

[<Fact>]
let ``check constraints reject violating rows on insert and update`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER CHECK (qty >= 0), price REAL, CHECK (price > 0 OR price IS NULL))"
    exec s "INSERT INTO t VALUES (1, 5, 2.0), (2, NULL, NULL)" |> ignore
    let e = error s "INSERT INTO t VALUES (3, 1, 1.0), (4, -1, 1.0)"
    Assert.Equal("FND5009", e.Code)
    Assert.Contains("t_qty_check", e.Message)
    Assert.Equal("FND5009", (error s "UPDATE t SET price = 0 WHERE id = 1").Code)
    Assert.Contains("t_check", (error s "UPDATE t SET price = -1.0").Message)
    Assert.Equal<obj list list>([ [ box 1L; box 5L; box 2.0 ]; [ box 2L; null; null ] ], rows s "SELECT * FROM t")
