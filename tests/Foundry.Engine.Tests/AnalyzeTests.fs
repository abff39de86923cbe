/// ANALYZE: row counts kept in the catalog for the planner's estimates. They survive a reopen, are
/// undone by a rollback like any catalog change, follow a renamed table and go with a dropped one,
/// and they change plans: a hash join builds on the table ANALYZE found smaller.
module Foundry.Engine.Tests.AnalyzeTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private analyzedRows (db: Database) (table: string) =
    db.Tables |> Seq.find (fun t -> t.Name = table) |> fun t -> Option.ofNullable t.AnalyzedRows

let private create (s: Session) =
    script s "CREATE TABLE small (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE big (id INTEGER PRIMARY KEY, small_id INTEGER)"
    script s "INSERT INTO small VALUES (1, 'a'), (2, 'b')"
    script s ("INSERT INTO big VALUES " + String.concat ", " [ for i in 1 .. 50 -> sprintf "(%d, %d)" i (i % 2 + 1) ])

/// The scan the hash join builds on: the second input under it in the physical plan.
let private buildSide (db: Database) =
    let plan = Explainer.Explain(db, "SELECT s.name, count(*) FROM small s JOIN big b ON b.small_id = s.id GROUP BY s.name", ExplainStage.Physical, ExplainFormat.Text)
    let scans = plan.Split('\n') |> Array.filter (fun l -> l.TrimStart().StartsWith "FullScan")
    scans[1].TrimStart().Split(' ')[1]

[<Fact>]
let ``ANALYZE counts rows, the hash join then builds on the smaller table, and the counts survive a reopen`` () =
    use tmp = new TempDatabase()
    (
        use db = Database.Open tmp.Path
        use s = db.OpenSession()
        create s
        // Unanalyzed tables are both assumed to hold 1,000 rows: FROM order decides, and big is built.
        Assert.Equal("b", buildSide db)
        Assert.Equal(None, analyzedRows db "small")
        script s "ANALYZE"
        Assert.Equal(Some 2L, analyzedRows db "small")
        Assert.Equal(Some 50L, analyzedRows db "big")
        Assert.Equal("s", buildSide db)
    )
    (
        use db = Database.Open tmp.Path
        Assert.Equal(Some 50L, analyzedRows db "big")
        Assert.Equal("s", buildSide db)
    )
    let report = IntegrityCheck.Run tmp.Path
    Assert.True(report.Ok, string report)

[<Fact>]
let ``ANALYZE of one table, rolled back, renamed and dropped`` () =
    use db = Database.OpenTemporary()
    use s = db.OpenSession()
    create s
    script s "BEGIN; ANALYZE small; ROLLBACK"
    Assert.Equal(None, analyzedRows db "small")
    script s "ANALYZE small"
    Assert.Equal(Some 2L, analyzedRows db "small")
    Assert.Equal(None, analyzedRows db "big")
    // The count is what ANALYZE saw, not kept up to date by later changes.
    script s "INSERT INTO small VALUES (3, 'c')"
    Assert.Equal(Some 2L, analyzedRows db "small")
    script s "ALTER TABLE small RENAME TO tiny"
    Assert.Equal(Some 2L, analyzedRows db "tiny")
    script s "DROP TABLE tiny; CREATE TABLE tiny (id INTEGER PRIMARY KEY)"
    Assert.Equal(None, analyzedRows db "tiny")
    Assert.Equal("FND1001", (error s "ANALYZE nosuch").Code)
