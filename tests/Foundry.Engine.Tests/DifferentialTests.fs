/// Every query here runs twice, with the optimizer's rules on and with all of them switched off;
/// the rows must be the same. A rule that changes a query's answer fails here.
module Foundry.Engine.Tests.DifferentialTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private queries =
    [ "SELECT * FROM t"
      "SELECT id, v FROM t WHERE id = 7"
      "SELECT id FROM t WHERE id > 3 AND id <= 9 AND 1 = 1"
      "SELECT id FROM t WHERE id < 5 OR v IS NULL"
      "SELECT id * 2 AS d FROM t WHERE NOT (id > 5) ORDER BY d DESC"
      "SELECT v, id FROM t WHERE v > 'c' AND id <> 4 ORDER BY v, id LIMIT 3 OFFSET 1"
      "SELECT id FROM t WHERE 2 + 3 = 5 AND id >= 10"
      "SELECT id FROM t WHERE NULL"
      "SELECT id FROM t WHERE id > 100"
      "SELECT 1 + 1, 'x' || 'y'"
      "SELECT id FROM t WHERE id > 2 AND id > 4 AND id < 8 AND id <= 7" ]

[<Fact>]
let ``optimized and unoptimized plans return the same rows`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
    script s ("INSERT INTO t VALUES " + String.concat ", " [ for i in 1 .. 12 -> if i % 4 = 0 then sprintf "(%d, NULL)" i else sprintf "(%d, '%c')" i (char (96 + i)) ])
    use plain = db.OpenSession()
    plain.CompilerOptions.DisabledRules <- Array.ofSeq Explainer.RuleNames
    for q in queries do
        let optimized = rows s q
        let unoptimized = rows plain q
        Assert.True((optimized = unoptimized), sprintf "%s\noptimized: %A\nunoptimized: %A" q optimized unoptimized)
