/// Joins: every kind gives SQL's rows, and many-table comma joins are planned as hash joins in a
/// connected order, never as a product of all the tables.
module Foundry.Engine.Tests.JoinTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private withTables (f: Session -> Database -> unit) =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER, y TEXT);
              INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
              INSERT INTO b VALUES (10, 1, 'b10'), (11, 1, 'b11'), (12, 2, 'b12'), (13, NULL, 'b13')"
    f s db

let private sorted (rows: obj list list) = rows |> List.sortBy (fun r -> r |> List.map (fun v -> if isNull v then "" else string v))

[<Fact>]
let ``inner, left, right and full joins give SQL's rows`` () =
    withTables (fun s _ ->
        Assert.Equal<obj list list>(
            sorted [ [ box "a1"; box "b10" ]; [ box "a1"; box "b11" ]; [ box "a2"; box "b12" ] ],
            sorted (rows s "SELECT x, y FROM a JOIN b ON a.id = b.a_id"))
        Assert.Equal<obj list list>(
            sorted [ [ box "a1"; box "b10" ]; [ box "a1"; box "b11" ]; [ box "a2"; box "b12" ]; [ box "a3"; null ] ],
            sorted (rows s "SELECT x, y FROM a LEFT JOIN b ON a.id = b.a_id"))
        Assert.Equal<obj list list>(
            sorted [ [ box "a1"; box "b10" ]; [ box "a1"; box "b11" ]; [ box "a2"; box "b12" ]; [ null; box "b13" ] ],
            sorted (rows s "SELECT x, y FROM a RIGHT JOIN b ON a.id = b.a_id"))
        Assert.Equal<obj list list>(
            sorted [ [ box "a1"; box "b10" ]; [ box "a1"; box "b11" ]; [ box "a2"; box "b12" ]; [ box "a3"; null ]; [ null; box "b13" ] ],
            sorted (rows s "SELECT x, y FROM a FULL JOIN b ON a.id = b.a_id"))
        Assert.Equal(12, (rows s "SELECT * FROM a CROSS JOIN b").Length)
        // A WHERE condition on the NULL-supplying side is applied after the outer join.
        Assert.Equal<obj list list>([ [ box "a3" ] ], rows s "SELECT x FROM a LEFT JOIN b ON a.id = b.a_id WHERE b.y IS NULL"))

[<Fact>]
let ``EXISTS, IN and scalar subqueries, correlated or not`` () =
    withTables (fun s _ ->
        Assert.Equal<obj list list>([ [ box "a1" ]; [ box "a2" ] ], rows s "SELECT x FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id) ORDER BY x")
        Assert.Equal<obj list list>([ [ box "a3" ] ], rows s "SELECT x FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id)")
        Assert.Equal<obj list list>([ [ box "a1" ]; [ box "a2" ] ], rows s "SELECT x FROM a WHERE id IN (SELECT a_id FROM b) ORDER BY 1")
        // NOT IN over a set containing NULL is never TRUE.
        Assert.Equal<obj list list>([], rows s "SELECT x FROM a WHERE id NOT IN (SELECT a_id FROM b)")
        Assert.Equal<obj list list>(
            [ [ box "a1"; box 2L ]; [ box "a2"; box 1L ]; [ box "a3"; box 0L ] ],
            rows s "SELECT x, (SELECT count(*) FROM b WHERE b.a_id = a.id) FROM a ORDER BY x")
        Assert.Equal("FND5006", (error s "SELECT (SELECT id FROM b) FROM a").Code))

[<Fact>]
let ``an eight-table comma join is a chain of hash joins`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    for i in 1 .. 8 do
        script s (sprintf "CREATE TABLE t%d (a INTEGER, b INTEGER); INSERT INTO t%d VALUES %s" i i (String.concat ", " [ for j in 1 .. 10 -> sprintf "(%d, %d)" j j ]))
    // Listed out of order: each table joins its neighbours only.
    let sql =
        "SELECT count(*) FROM t8, t1, t5, t3, t2, t7, t4, t6 WHERE t1.a = t2.b AND t2.a = t3.b AND t3.a = t4.b AND t4.a = t5.b AND t5.a = t6.b AND t6.a = t7.b AND t7.a = t8.b"
    Assert.Equal<obj list list>([ [ box 10L ] ], rows s sql)
    let plan = Explainer.Explain(db, sql, ExplainStage.Physical, ExplainFormat.Text)
    Assert.Equal(7, plan.Split('\n') |> Array.filter (fun l -> l.Contains "HashJoin Inner") |> Array.length)
    Assert.DoesNotContain("NestedLoopJoin", plan)

[<Fact>]
let ``grouping, having, distinct and set operations`` () =
    withTables (fun s _ ->
        Assert.Equal<obj list list>(
            [ [ box 1L; box 2L; box "b11" ]; [ box 2L; box 1L; box "b12" ] ],
            rows s "SELECT a_id, count(*), max(y) FROM b WHERE a_id IS NOT NULL GROUP BY a_id HAVING count(*) >= 1 ORDER BY a_id")
        Assert.Equal<obj list list>([ [ box 0L; null; null ] ], rows s "SELECT count(*), sum(id), avg(id) FROM b WHERE id > 100")
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ]; [ null ] ], rows s "SELECT DISTINCT a_id FROM b ORDER BY a_id NULLS LAST")
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ]; [ box 3L ] ], rows s "SELECT id FROM a UNION SELECT a_id FROM b WHERE a_id IS NOT NULL ORDER BY 1")
        Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT id FROM a EXCEPT SELECT a_id FROM b")
        Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ] ], rows s "SELECT id FROM a INTERSECT SELECT a_id FROM b ORDER BY 1"))

[<Fact>]
let ``update and delete change exactly the rows they select`` () =
    withTables (fun s _ ->
        Assert.Equal(2L, exec s "UPDATE b SET y = y || '!' WHERE a_id = 1")
        Assert.Equal<obj list list>([ [ box "b10!" ]; [ box "b11!" ] ], rows s "SELECT y FROM b WHERE a_id = 1 ORDER BY y")
        // A key update that shifts every key up by one must not see its own writes.
        Assert.Equal(4L, exec s "UPDATE b SET id = id + 1")
        Assert.Equal<obj list list>([ [ box 11L ]; [ box 12L ]; [ box 13L ]; [ box 14L ] ], rows s "SELECT id FROM b")
        Assert.Equal(1L, exec s "DELETE FROM b WHERE a_id IS NULL")
        Assert.Equal(3, (rows s "SELECT * FROM b").Length))

[<Fact>]
let ``WITH RECURSIVE iterates to a fixed point; UNION ends a walk over a cycle`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    Assert.Equal<obj list list>(
        [ for i in 1L .. 10L -> [ box i ] ],
        rows s "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n ORDER BY i")
    script s "CREATE TABLE emp (id INTEGER PRIMARY KEY, boss INTEGER, name TEXT NOT NULL);
              INSERT INTO emp VALUES (1, NULL, 'ada'), (2, 1, 'bob'), (3, 1, 'cy'), (4, 2, 'dee'), (5, 4, 'eve'), (6, NULL, 'fay')"
    Assert.Equal<obj list list>(
        [ [ box "ada"; box 0L ]; [ box "bob"; box 1L ]; [ box "cy"; box 1L ]; [ box "dee"; box 2L ]; [ box "eve"; box 3L ] ],
        rows s "WITH RECURSIVE chain(id, name, depth) AS (
                    SELECT id, name, 0 FROM emp WHERE id = 1
                    UNION ALL
                    SELECT e.id, e.name, c.depth + 1 FROM emp e JOIN chain c ON e.boss = c.id)
                SELECT name, depth FROM chain ORDER BY depth, name")
    script s "CREATE TABLE edge (a INTEGER, b INTEGER); INSERT INTO edge VALUES (1, 2), (2, 3), (3, 1), (3, 4)"
    Assert.Equal<obj list list>(
        [ [ box 1L ]; [ box 2L ]; [ box 3L ]; [ box 4L ] ],
        rows s "WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT edge.b FROM edge JOIN reach ON edge.a = reach.n) SELECT n FROM reach ORDER BY n")

[<Fact>]
let ``UPDATE ... FROM names the FROM tables by alias`` () =
    withTables (fun s _ ->
        script s "CREATE TABLE price (a_id INTEGER PRIMARY KEY, label TEXT); INSERT INTO price VALUES (1, 'one'), (3, 'three')"
        Assert.Equal(2L, exec s "UPDATE a SET x = p.label FROM price AS p WHERE p.a_id = a.id")
        Assert.Equal<obj list list>([ [ box "one" ]; [ box "a2" ]; [ box "three" ] ], rows s "SELECT x FROM a ORDER BY id"))
