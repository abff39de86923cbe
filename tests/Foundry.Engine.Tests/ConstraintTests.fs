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

let private shop () =
    let db = Database.OpenTemporary()
    let s = db.OpenSession()
    script s "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
              CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers ON DELETE CASCADE, note TEXT);
              CREATE TABLE reviews (id INTEGER PRIMARY KEY, customer_email TEXT, FOREIGN KEY (customer_email) REFERENCES customers (email) ON DELETE SET NULL);
              CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id));
              INSERT INTO customers VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x');
              INSERT INTO orders VALUES (10, 1, 'first'), (11, 1, 'second'), (12, 2, 'third'), (13, NULL, 'walk-in');
              INSERT INTO reviews VALUES (100, 'a@x'), (101, 'b@x');
              INSERT INTO invoices VALUES (1000, 3)"
    db, s

[<Fact>]
let ``a child row must reference an existing parent; NULL references nothing`` () =
    let db, s = shop ()
    use _ = db
    let e = error s "INSERT INTO orders VALUES (14, 9, 'ghost')"
    Assert.Equal("FND5010", e.Code)
    Assert.Contains("orders_customer_id_fkey", e.Message)
    Assert.Equal("FND5010", (error s "UPDATE orders SET customer_id = 42 WHERE id = 10").Code)
    Assert.Equal("FND5010", (error s "INSERT INTO reviews VALUES (102, 'nobody@x')").Code)
    Assert.Equal(1L, exec s "INSERT INTO orders VALUES (15, NULL, 'anonymous')")

[<Fact>]
let ``deleting a parent cascades, sets null or is refused, as each key says`` () =
    let db, s = shop ()
    use _ = db
    // invoices reference customer 3 with NO ACTION: refused, nothing changes.
    Assert.Equal("FND5010", (error s "DELETE FROM customers WHERE id = 3").Code)
    Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT count(*) FROM customers")
    // Customer 1: its orders go (CASCADE), its review loses the reference (SET NULL).
    Assert.Equal(1L, exec s "DELETE FROM customers WHERE id = 1")
    Assert.Equal<obj list list>([ [ box 12L ]; [ box 13L ] ], rows s "SELECT id FROM orders")
    Assert.Equal<obj list list>([ [ box 100L; null ]; [ box 101L; box "b@x" ] ], rows s "SELECT * FROM reviews")
    // Changing a referenced key is refused while rows reference it.
    Assert.Equal("FND5010", (error s "UPDATE customers SET id = 20 WHERE id = 2").Code)

[<Fact>]
let ``foreign keys are checked when declared and protect the parent table`` () =
    let db, s = shop ()
    use _ = db
    Assert.Equal("FND1039", (error s "CREATE TABLE bad (x TEXT REFERENCES orders (note))").Code)
    Assert.Equal("FND1040", (error s "CREATE TABLE bad (x TEXT REFERENCES customers (id))").Code)
    Assert.Equal("FND1041", (error s "DROP TABLE customers").Code)
    script s "DROP TABLE orders; DROP TABLE reviews; DROP TABLE invoices; DROP TABLE customers"

[<Fact>]
let ``ALTER TABLE adds a column (existing rows get its DEFAULT or NULL), renames a column and renames the table`` () =
    use tmp = new TempDatabase()
    (
        use db = Database.Open tmp.Path
        use s = db.OpenSession()
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE INDEX t_name ON t (name);
                  INSERT INTO t VALUES (1, 'a'), (2, 'b')"
        script s "ALTER TABLE t ADD COLUMN note TEXT; ALTER TABLE t ADD COLUMN score INTEGER NOT NULL DEFAULT 7"
        Assert.Equal<obj list list>([ [ box 1L; box "a"; null; box 7L ]; [ box 2L; box "b"; null; box 7L ] ], rows s "SELECT * FROM t")
        Assert.Equal("FND5003", (error s "ALTER TABLE t ADD COLUMN needed INTEGER NOT NULL").Code)
        script s "ALTER TABLE t RENAME COLUMN name TO label; ALTER TABLE t RENAME TO items"
        exec s "INSERT INTO items (id, label, note) VALUES (3, 'c', 'new')" |> ignore
    )
    (
        use db = Database.Open tmp.Path
        use s = db.OpenSession()
        Assert.Equal<obj list list>([ [ box 3L; box "new"; box 7L ] ], rows s "SELECT id, note, score FROM items WHERE label = 'c'")
        Assert.Contains("IndexSeek items using t_name", Explainer.Explain(db, "SELECT id FROM items WHERE label = 'b'", ExplainStage.Physical, ExplainFormat.Text))
        Assert.Equal("FND1001", (error s "SELECT * FROM t").Code)
        Assert.Equal("FND1002", (error s "SELECT name FROM items").Code)
    )
    // Rows written before ADD COLUMN are shorter than the table; the integrity check accepts them.
    let report = IntegrityCheck.Run tmp.Path
    Assert.True(report.Ok, string report)
