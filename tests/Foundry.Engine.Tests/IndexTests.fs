/// Secondary indexes: kept in step by every change, used by the planner for equality and range
/// predicates on their leading column (read without the table when they cover the query), and
/// giving exactly the rows a full scan gives.
module Foundry.Engine.Tests.IndexTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private setup () =
    let db = Database.OpenTemporary()
    let s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v REAL, s TEXT)"
    script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 300 -> sprintf "(%d, %d, %d.5, 's%d')" i (i % 17) i (i % 5) ])
    script s "CREATE INDEX t_k ON t (k)"
    db, s

let private physical db sql = Explainer.Explain(db, sql, ExplainStage.Physical, ExplainFormat.Text)

[<Fact>]
let ``equality on an indexed column is an index seek with the same rows as a scan`` () =
    let db, s = setup ()
    use _ = db
    let sql = "SELECT id, v FROM t WHERE k = 3 ORDER BY id"
    Assert.Contains("IndexSeek t using t_k k = 3", physical db sql)
    let viaIndex = rows s sql
    use plain = db.OpenSession()
    plain.CompilerOptions.DisabledRules <- [| "PushFilterIntoScan" |]
    Assert.Equal<obj list list>(rows plain sql, viaIndex)
    Assert.Equal(18, viaIndex.Length)

[<Fact>]
let ``a covering index answers without reading the table`` () =
    let db, s = setup ()
    use _ = db
    let sql = "SELECT count(*) FROM t WHERE k = $1"
    Assert.Contains("CoveringIndexSeek", physical db sql)
    use r = s.Execute(sql, 5L)
    Assert.True(r.Read())
    Assert.Equal(18L, r.GetInt64 0)
    Assert.False(r.Read()) // read to the end: the session may run its next statement
    Assert.Equal<obj list list>([ [ box 3L; box 3L ]; [ box 20L; box 3L ] ], rows s "SELECT id, k FROM t WHERE k = 3 AND id < 30 ORDER BY id")

[<Fact>]
let ``index ranges and parameters in key bounds`` () =
    let db, s = setup ()
    use _ = db
    Assert.Contains("IndexRangeScan", physical db "SELECT s FROM t WHERE k >= 15 AND k < 16")
    Assert.Equal(17, (rows s "SELECT s FROM t WHERE k >= 15 AND k < 16").Length)
    Assert.Contains("KeySeek t id = $1", physical db "SELECT v FROM t WHERE id = $1")
    use r = s.Execute("SELECT v FROM t WHERE id = $1", 42L)
    Assert.True(r.Read())
    Assert.Equal(42.5, r.GetDouble 0)
    Assert.False(r.Read())
    Assert.Equal<obj list list>([], rows s "SELECT v FROM t WHERE id = NULL")

[<Fact>]
let ``changes keep the index in step`` () =
    let db, s = setup ()
    use _ = db
    exec s "UPDATE t SET k = 100 WHERE id <= 10" |> ignore
    exec s "DELETE FROM t WHERE k = 0" |> ignore
    exec s "INSERT INTO t VALUES (1000, 100, 0.0, 'new')" |> ignore
    Assert.Equal<obj list list>([ [ box 11L ] ], rows s "SELECT count(*) FROM t WHERE k = 100")
    Assert.Equal<obj list list>([ [ box 0L ] ], rows s "SELECT count(*) FROM t WHERE k = 0")

[<Fact>]
let ``an UPDATE that assigns no indexed column leaves the index alone; one that does moves the entry`` () =
    let db, s = setup ()
    use _ = db
    script s "CHECKPOINT"
    let logged sql =
        let before = db.LogSizeBytes
        exec s sql |> ignore
        db.LogSizeBytes - before
    // After a checkpoint a page's first change logs the whole 8 KiB page: the row's leaf for the first
    // statement (its index leaf too, if the entry were rewritten), and the index leaves for the second.
    let valueOnly = logged "UPDATE t SET v = 0.25 WHERE id = 5"
    let keyToo = logged "UPDATE t SET k = 99 WHERE id = 6"
    Assert.True(valueOnly < 8192L + 1024L, sprintf "UPDATE of v logged %d bytes" valueOnly)
    Assert.True(keyToo > 8192L, sprintf "UPDATE of k logged %d bytes" keyToo)
    Assert.Equal<obj list list>([ [ box 5L; box 0.25 ] ], rows s "SELECT id, v FROM t WHERE k = 5 AND id = 5")
    Assert.Equal<obj list list>([ [ box 6L ] ], rows s "SELECT id FROM t WHERE k = 99")
    Assert.Equal<obj list list>([ [ box 0L ] ], rows s "SELECT count(*) FROM t WHERE k = 6 AND id = 6")

[<Fact>]
let ``a unique index rejects a duplicate and the statement changes nothing`` () =
    let db, s = setup ()
    use _ = db
    script s "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)"
    exec s "INSERT INTO u VALUES (1, 'a@x'), (2, NULL), (3, NULL)" |> ignore
    let e = error s "INSERT INTO u VALUES (4, 'b@x'), (5, 'a@x')"
    Assert.Equal("FND5004", e.Code)
    Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT count(*) FROM u")
    Assert.Equal("FND1035", (error s "CREATE INDEX t_k ON t (v)").Code)

[<Fact>]
let ``CREATE INDEX over existing rows finds exactly what a scan finds, NULLs and composite keys included`` () =
    let db = Database.OpenTemporary()
    use _ = db
    let s = db.OpenSession()
    script s "CREATE TABLE w (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)"
    // Rows in descending id order, so the index build must sort; a third of the a values are NULL.
    script s ("INSERT INTO w VALUES " + String.concat ", " [ for i in 2000 .. -1 .. 1 -> sprintf "(%d, %s, 'b%d')" i (if i % 3 = 0 then "NULL" else string (i % 37)) (i % 5) ])
    let queries =
        [ "SELECT id FROM w WHERE a = 7 ORDER BY id"
          "SELECT count(*) FROM w WHERE a BETWEEN 3 AND 9"
          "SELECT id FROM w WHERE a = 11 AND b = 'b2' ORDER BY id" ]
    let before = queries |> List.map (rows s)
    script s "CREATE INDEX w_a ON w (a)"
    script s "CREATE INDEX w_ab ON w (a, b)"
    Assert.Contains("w_a", physical db queries.[0])
    Assert.Equal<obj list list list>(before, queries |> List.map (rows s))
    Assert.Equal<obj list list>([ [ box 2000L ] ], rows s "SELECT count(*) FROM w")

[<Fact>]
let ``CREATE UNIQUE INDEX over duplicate rows fails and leaves no index behind; NULLs do not collide`` () =
    let db = Database.OpenTemporary()
    use _ = db
    let s = db.OpenSession()
    script s "CREATE TABLE v (id INTEGER PRIMARY KEY, code TEXT)"
    exec s "INSERT INTO v VALUES (1, 'x'), (2, NULL), (3, 'y'), (4, NULL), (5, 'x')" |> ignore
    Assert.Equal("FND5004", (error s "CREATE UNIQUE INDEX v_code ON v (code)").Code)
    // The failed statement left nothing: the name is free and the table is whole.
    exec s "DELETE FROM v WHERE id = 5" |> ignore
    script s "CREATE UNIQUE INDEX v_code ON v (code)"
    Assert.Equal("FND5004", (error s "INSERT INTO v VALUES (6, 'y')").Code)
    exec s "INSERT INTO v VALUES (7, NULL)" |> ignore
    Assert.Equal<obj list list>([ [ box 5L ] ], rows s "SELECT count(*) FROM v")

/// tab0..tab4 as the sqllogictest "index" files make them: a primary key and indexes on several columns.
let private corpusTables () =
    databaseWith
        [ for t in 0 .. 4 do
              sprintf "CREATE TABLE tab%d (pk INTEGER PRIMARY KEY, col0 INTEGER, col1 REAL, col2 TEXT, col3 INTEGER, col4 REAL, col5 TEXT)" t
              for c in [ 0; 3; 4 ] do
                  sprintf "CREATE INDEX idx_tab%d_%d ON tab%d (col%d)" t c t c
              sprintf "INSERT INTO tab%d VALUES (0, 1, 2.5, 'a', 3, 4.5, 'b'), (1, 2, 3.5, 'c', 4, 5.5, 'd'), (2, 5, 6.5, 'e', 1, 0.5, 'f'), (3, 4, 1.5, 'g', 2, 2.5, 'h')" t ]

/// The same query with every secondary index dropped: the rows a full scan gives.
let private withoutIndexes (s: Session) (sql: string) =
    for t in 0 .. 4 do
        for c in [ 0; 3; 4 ] do
            script s (sprintf "DROP INDEX idx_tab%d_%d" t c)
    rows s sql

[<Fact>]
let ``a covering index scan under a join decodes every column the join stores (IN subquery over the same table)`` () =
    // The semi join stores every column of its build side, one of which (col3) the index on col0 lacks:
    // the scan was planned as covering and its code then looked for col3 in the index key.
    let db, s = corpusTables ()
    use _ = db
    let sql = "SELECT pk FROM tab1 WHERE col3 IN (SELECT col0 FROM tab1 WHERE col0 < 5) ORDER BY pk"
    let indexed = rows s sql
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ]; [ box 3L ] ], indexed)
    Assert.Equal<obj list list>(withoutIndexes s sql, indexed)

[<Fact>]
let ``a seven-table comma join with IN lists and equalities over indexed columns answers as without indexes`` () =
    let db, s = corpusTables ()
    use _ = db
    let sql =
        "SELECT t0.pk, t6.col5 FROM tab0 t0, tab1 t1, tab2 t2, tab3 t3, tab4 t4, tab0 t5, tab1 t6 "
        + "WHERE t0.col0 IN (1, 2) AND t1.col3 = t0.col0 AND t2.col0 = 5 AND t3.col3 > 2 AND t4.col4 < 3 "
        + "AND t5.col0 = t4.col3 AND t6.pk = t5.pk ORDER BY 1, 2"
    let indexed = rows s sql
    Assert.NotEmpty indexed
    Assert.Equal<obj list list>(withoutIndexes s sql, indexed)

[<Fact>]
let ``an index range with only an upper bound does not return the NULL keys that sort before it`` () =
    // Found by the differential property once it made indexes: NULL sorts first in an index, so the range from the
    // index's start up to the bound held the NULL entries, and `'' >= c` was TRUE for c NULL.
    let db, s =
        databaseWith
            [ "CREATE TABLE n (id INTEGER PRIMARY KEY, c TEXT, k INTEGER)"
              "INSERT INTO n VALUES (1, NULL, NULL), (2, '', 1), (3, 'b', 7)"
              "CREATE INDEX n_c ON n (c)"
              "CREATE INDEX n_k ON n (k)" ]
    use _ = db
    Assert.Contains("n_c", physical db "SELECT id FROM n WHERE '' >= c")
    Assert.Equal<obj list list>([ [ box 2L ] ], rows s "SELECT id FROM n WHERE '' >= c")
    Assert.Equal<obj list list>([ [ box 2L ] ], rows s "SELECT id FROM n WHERE k < 5")
    Assert.Equal<obj list list>([ [ box 2L ]; [ box 3L ] ], rows s "SELECT id FROM n WHERE k <= 7 ORDER BY id")
    Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT count(*) FROM n WHERE k < 5")

[<Fact>]
let ``a covering scan in a subquery whose predicate folds away a column answers as without indexes`` () =
    // Found by the index metamorphic property: the subquery is planned from its folded form, where
    // `0.0 < 6 OR 0.0 > b.c2` is TRUE and c2 is not read, so the index on c0 covers its scan; the outer
    // query still holds the unfolded subquery, which names c2, and the covering scan was asked to decode
    // c2 from an index that does not hold it (KeyNotFoundException).
    let db, s =
        databaseWith
            [ "CREATE TABLE a (c0 INTEGER)"
              "CREATE TABLE b (c0 INTEGER, c1 TEXT, c2 INTEGER)"
              "INSERT INTO a VALUES (1), (2)"
              "INSERT INTO b VALUES (0, 'x', 3), (0, 'y', NULL), (1, 'z', 9)"
              "CREATE INDEX b_c0 ON b (c0)" ]
    use _ = db
    let sql = "SELECT c0 FROM a WHERE 0.0 <= (SELECT AVG(1.0) FROM b WHERE (0.0 NOT BETWEEN 6 AND b.c2) AND 0 = b.c0) ORDER BY c0"
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ] ], rows s sql)
    Assert.Equal<obj list list>([ [ box 1.0 ] ], rows s "SELECT AVG(1.0) FROM b WHERE (0.0 NOT BETWEEN 6 AND b.c2) AND 0 = b.c0")
