/// End-to-end behaviour of each statement form through the whole pipeline.
module Foundry.Engine.Tests.StatementTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private withSession (f: Session -> unit) =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    f s

[<Fact>]
let ``select star returns rows in primary key order with their types`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, ok BOOLEAN);
                  INSERT INTO t VALUES (3, 'c', 3.5, TRUE), (1, 'a', NULL, FALSE), (2, 'b', 2.25, NULL)"
        use r = s.Execute "SELECT * FROM t"
        Assert.Equal<string list>([ "id"; "name"; "price"; "ok" ], List.ofSeq r.ColumnNames)
        Assert.Equal<string list>([ "INTEGER"; "TEXT"; "REAL"; "BOOLEAN" ], r.ColumnTypes |> Seq.map (fun t -> Foundry.Runtime.SqlTypeNames.Display t) |> List.ofSeq)
        r.Dispose()
        Assert.Equal<obj list list>(
            [ [ box 1L; box "a"; null; box false ]; [ box 2L; box "b"; box 2.25; null ]; [ box 3L; box "c"; box 3.5; box true ] ],
            rows s "SELECT * FROM t"
        ))

[<Fact>]
let ``insert reports affected rows and honours a column list`` () =
    withSession (fun s ->
        exec s "CREATE TABLE t (a INTEGER, b TEXT, c REAL)" |> ignore
        Assert.Equal(2L, exec s "INSERT INTO t (c, a) VALUES (1.5, 1), (2, 2)")
        Assert.Equal<obj list list>([ [ box 1L; null; box 1.5 ]; [ box 2L; null; box 2.0 ] ], rows s "SELECT * FROM t"))

[<Fact>]
let ``where uses three-valued logic`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (x INTEGER, y TEXT); INSERT INTO t VALUES (5, 'five'), (NULL, 'null'), (1, NULL)"
        Assert.Equal<obj list list>([ [ box 5L ] ], rows s "SELECT x FROM t WHERE x > 2")
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT x FROM t WHERE NOT (x > 2)")
        Assert.Equal<obj list list>([ [ box "null" ] ], rows s "SELECT y FROM t WHERE x IS NULL")
        Assert.Equal<obj list list>([ [ box 5L ]; [ box 1L ] ], rows s "SELECT x FROM t WHERE x > 2 OR y IS NULL")
        // DESC puts NULL last: y = 'null', 'five', NULL.
        Assert.Equal<obj list list>([ [ null ]; [ box true ]; [ box true ] ], rows s "SELECT x > 2 OR y IS NULL FROM t WHERE x IS NULL OR x < 6 ORDER BY y DESC"))

[<Fact>]
let ``arithmetic follows SQL semantics`` () =
    withSession (fun s ->
        Assert.Equal<obj list list>(
            [ [ box 3L; box 3L; box 1L; box -3L; box 3.5; box true; null; box "ab1" ] ],
            rows s "SELECT 1 + 2, 7 / 2, 7 % 3, -7 / 2, 7 / 2.0, NULL IS NULL, 1 + NULL, 'a' || 'b' || 1"
        ))

[<Fact>]
let ``order by sorts nulls first ascending and honours limit and offset`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 30), (2, NULL), (3, 10), (4, 20)"
        Assert.Equal<obj list list>([ [ box 2L ]; [ box 3L ]; [ box 4L ]; [ box 1L ] ], rows s "SELECT id FROM t ORDER BY v")
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 4L ]; [ box 3L ]; [ box 2L ] ], rows s "SELECT id FROM t ORDER BY v DESC")
        Assert.Equal<obj list list>([ [ box 4L ]; [ box 3L ] ], rows s "SELECT id FROM t ORDER BY v DESC LIMIT 2 OFFSET 1")
        Assert.Equal<obj list list>([ [ box 3L; box 20L ] ], rows s "SELECT id, v + 10 AS w FROM t WHERE v IS NOT NULL ORDER BY w LIMIT 1")
        Assert.Equal<obj list list>([ [ box 4L; box 20L ] ], rows s "SELECT id, v FROM t ORDER BY 2 DESC LIMIT 1 OFFSET 1"))

[<Fact>]
let ``primary key predicates give the same rows as a scan`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
        script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 200 -> sprintf "(%d, 'v%d')" i i ])
        Assert.Equal<obj list list>([ [ box "v42" ] ], rows s "SELECT v FROM t WHERE id = 42")
        Assert.Equal<obj list list>([], rows s "SELECT v FROM t WHERE id = 4200")
        Assert.Equal(10, (rows s "SELECT id FROM t WHERE id > 190").Length)
        Assert.Equal(10, (rows s "SELECT id FROM t WHERE id >= 10 AND id < 20").Length)
        Assert.Equal(11, (rows s "SELECT id FROM t WHERE 10 <= id AND id <= 20").Length)
        Assert.Equal<obj list list>([ [ box 5L ] ], rows s "SELECT id FROM t WHERE id > 4 AND id < 6"))

[<Fact>]
let ``composite primary key range on the leading column is exact`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (a INTEGER, b TEXT, c REAL, PRIMARY KEY (a, b))"
        script s "INSERT INTO t VALUES (1, 'x', 1.0), (1, 'y', 2.0), (2, 'a', 3.0), (2, 'b', 4.0), (3, 'z', 5.0)"
        Assert.Equal<obj list list>([ [ box "a" ]; [ box "b" ] ], rows s "SELECT b FROM t WHERE a = 2")
        Assert.Equal<obj list list>([ [ box "z" ] ], rows s "SELECT b FROM t WHERE a > 2")
        Assert.Equal<obj list list>([ [ box "x" ]; [ box "y" ] ], rows s "SELECT b FROM t WHERE a < 2"))

[<Fact>]
let ``select without from yields one row`` () =
    withSession (fun s -> Assert.Equal<obj list list>([ [ box 2L; box "x" ] ], rows s "SELECT 1 + 1 AS two, 'x'"))

[<Fact>]
let ``drop table removes the table and reuses its pages`` () =
    use tmp = new TempDatabase()
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
    script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 500 -> sprintf "(%d, 'some text value %d')" i i ])
    let sizeBefore = System.IO.FileInfo(tmp.Path).Length
    script s "DROP TABLE t"
    Assert.Equal("FND1001", (error s "SELECT * FROM t").Code)
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
    script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 500 -> sprintf "(%d, 'some text value %d')" i i ])
    Assert.Equal(sizeBefore, System.IO.FileInfo(tmp.Path).Length)
    script s "DROP TABLE IF EXISTS nothing_here"

[<Fact>]
let ``tables list their definitions`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE b (x INTEGER NOT NULL); CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT)"
    Assert.Equal<string list>([ "a"; "b" ], db.Tables |> Seq.map (fun t -> t.Name) |> List.ofSeq)
    Assert.Equal("CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT)", db.Tables[0].ToSql())

[<Fact>]
let ``parameters are bound at execution and typed by their context`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL)"
        use insert = s.Execute("INSERT INTO t VALUES ($1, $2, $3)", 1L, "one", 1.5)
        Assert.Equal(1L, insert.RowsAffected)
        use r = s.Execute("SELECT name, score * 2 FROM t WHERE id = ?", 1)
        Assert.True(r.Read())
        Assert.Equal("one", r.GetString 0)
        Assert.Equal(3.0, r.GetDouble 1)
        Assert.False(r.Read()))

[<Fact>]
let ``a ? takes the number after the highest parameter before it, so $n and ? mix`` () =
    withSession (fun s ->
        let values (sql: string) (args: obj[]) =
            use r = s.Execute(sql, args)
            Assert.True(r.Read())
            [ for i in 0 .. r.FieldCount - 1 -> r.GetInt64 i ]
        // $2 then ?: the ? is parameter 3.
        Assert.Equal<int64 list>([ 20L; 30L ], values "SELECT CAST($2 AS INTEGER), CAST(? AS INTEGER)" [| 10L; 20L; 30L |])
        // ? then $1: both parameter 1, so the statement takes one value.
        Assert.Equal<int64 list>([ 10L ], values "SELECT CAST(? AS INTEGER) + CAST($1 AS INTEGER)" [| 5L |])
        // ?, $3, ?: 1, 3 and 4.
        Assert.Equal<int64 list>([ 1L; 3L; 4L ], values "SELECT CAST(? AS INTEGER), CAST($3 AS INTEGER), CAST(? AS INTEGER)" [| 1L; 2L; 3L; 4L |]))

[<Fact>]
let ``a prepared statement runs many times and recompiles after a schema change`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
        let insert = s.Prepare "INSERT INTO t VALUES (?, ?)"
        for i in 1 .. 100 do
            insert.Execute(int64 i, sprintf "v%d" i).Dispose()
        let lookup = s.Prepare "SELECT v FROM t WHERE id = $1"
        let read (id: int64) =
            use r = lookup.Execute id
            if r.Read() then Some(r.GetString 0) else None
        Assert.Equal(Some "v42", read 42L)
        Assert.Equal(None, read 420L)
        // Dropping and recreating the table changes the catalog: the prepared lookup follows.
        script s "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (42, 'new')"
        Assert.Equal(Some "new", read 42L))

[<Fact>]
let ``a parameter with no value is an error naming it`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY)"
        Assert.Equal("FND5007", (error s "SELECT id FROM t WHERE id = $2").Code))

[<Fact>]
let ``ORDER BY with LIMIT keeps only the best rows and breaks ties by arrival`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"
        script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 500 -> sprintf "(%d, %s)" i (if i % 50 = 0 then "NULL" else string (i % 37)) ])
        use db2 = Database.OpenTemporary()
        Assert.Contains("TopN 8", Explainer.Explain(null, "SELECT 1 ORDER BY 1 LIMIT 5 OFFSET 3", ExplainStage.Physical, ExplainFormat.Text))
        let expected = rows s "SELECT id, v FROM t ORDER BY v DESC NULLS LAST, id" |> List.skip 3 |> List.truncate 5
        Assert.Equal<obj list list>(expected, rows s "SELECT id, v FROM t ORDER BY v DESC NULLS LAST, id LIMIT 5 OFFSET 3")
        // Equal keys: the earlier row (lower id, read first) comes first, as in a stable sort.
        Assert.Equal<obj list list>(
            rows s "SELECT id FROM t ORDER BY v NULLS FIRST" |> List.truncate 12,
            rows s "SELECT id FROM t ORDER BY v NULLS FIRST LIMIT 12")
        // Every NULL placement and direction, with the first key tied across many rows (a candidate is
        // rejected early only when its first key sorts strictly after the worst kept row's).
        for order in [ "v NULLS LAST"; "v DESC NULLS FIRST"; "v DESC NULLS LAST, id DESC"; "v NULLS FIRST, id DESC" ] do
            Assert.Equal<obj list list>(
                rows s (sprintf "SELECT id, v FROM t ORDER BY %s" order) |> List.truncate 20,
                rows s (sprintf "SELECT id, v FROM t ORDER BY %s LIMIT 20" order))
        Assert.Equal<obj list list>([], rows s "SELECT id FROM t ORDER BY v LIMIT 0"))

[<Fact>]
let ``EXPLAIN returns the physical plan with estimates and EXPLAIN ANALYZE adds actual rows and time`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL)"
        script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 40 -> sprintf "(%d, %d)" i (i % 4) ])
        let plan = rows s "EXPLAIN SELECT k, count(*) FROM t WHERE id > 10 GROUP BY k" |> List.map (fun r -> string r.Head)
        Assert.Contains(plan, fun l -> l.Contains "HashAggregate" && l.Contains "estimated rows=")
        Assert.Contains(plan, fun l -> l.Contains "KeyRangeScan t id > 10")
        let analysed = rows s "EXPLAIN ANALYZE SELECT k, count(*) FROM t WHERE id > 10 GROUP BY k" |> List.map (fun r -> string r.Head)
        Assert.Contains(analysed, fun l -> l.Contains "KeyRangeScan" && l.Contains "actual rows=30")
        Assert.Contains(analysed, fun l -> l.Contains "HashAggregate" && l.Contains "actual rows=4" && l.Contains "time=")
        Assert.StartsWith("Execution time:", List.last analysed)
        // EXPLAIN ANALYZE runs a change for real.
        let update = rows s "EXPLAIN ANALYZE UPDATE t SET k = 9 WHERE id <= 5" |> List.map (fun r -> string r.Head)
        Assert.Contains(update, fun l -> l.Contains "actual rows=5")
        Assert.Equal<obj list list>([ [ box 5L ] ], rows s "SELECT count(*) FROM t WHERE k = 9"))

[<Fact>]
let ``INSERT, UPDATE and DELETE ... RETURNING return the rows they wrote or removed`` () =
    withSession (fun s ->
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER DEFAULT 1)"
        Assert.Equal<obj list list>(
            [ [ box 1L; box 1L; box "A" ]; [ box 2L; box 1L; box "B" ] ],
            rows s "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b') RETURNING id, qty, upper(name) AS shout")
        use r = s.Execute "UPDATE t SET qty = qty * 10 WHERE id = 2 RETURNING *"
        Assert.Equal<string list>([ "id"; "name"; "qty" ], List.ofSeq r.ColumnNames)
        Assert.Equal(1L, r.RowsAffected)
        Assert.True(r.Read())
        Assert.Equal(10L, r.GetInt64 2)
        r.Dispose()
        Assert.Equal<obj list list>([ [ box "a" ] ], rows s "DELETE FROM t WHERE qty = 1 RETURNING name")
        Assert.Equal<obj list list>([ [ box 2L ] ], rows s "SELECT id FROM t")
        // A failing change returns nothing and changes nothing.
        Assert.Equal("FND5004", (error s "INSERT INTO t VALUES (3, 'c', 1), (2, 'dup', 1) RETURNING id").Code)
        Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT count(*) FROM t"))

[<Fact>]
let ``a BLOB primary key stores and finds rows`` () =
    withSession (fun s ->
        script s "CREATE TABLE b (k BLOB PRIMARY KEY, v INTEGER)"
        exec s "INSERT INTO b VALUES (CAST('abc' AS BLOB), 1), (CAST('abd' AS BLOB), 2)" |> ignore
        Assert.Equal("FND5004", (error s "INSERT INTO b VALUES (CAST('abc' AS BLOB), 3)").Code)
        Assert.Equal<obj list list>([ [ box 2L ] ], rows s "SELECT v FROM b WHERE k = CAST('abd' AS BLOB)"))
