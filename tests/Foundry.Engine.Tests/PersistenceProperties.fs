/// Property: whatever rows are inserted read back equal, by full scan and by key seek, after the
/// database is closed and reopened.
module Foundry.Engine.Tests.PersistenceProperties

open System
open FsCheck
open FsCheck.FSharp
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

type Row = { Id: int64; Name: string; Score: float option; Flag: bool option }

let private sqlText (s: string) = "'" + s.Replace("'", "''") + "'"

let private sqlReal (r: float) = r.ToString("R", Globalization.CultureInfo.InvariantCulture) |> fun t -> if t.Contains "." || t.Contains "E" then t else t + ".0"

let private literal (r: Row) =
    sprintf
        "(%d, %s, %s, %s)"
        r.Id
        (sqlText r.Name)
        (match r.Score with Some v -> sqlReal v | None -> "NULL")
        (match r.Flag with Some b -> (if b then "TRUE" else "FALSE") | None -> "NULL")

let private expected (r: Row) : obj list =
    [ box r.Id; box r.Name; (match r.Score with Some v -> box v | None -> null); (match r.Flag with Some b -> box b | None -> null) ]

let private rowGen =
    gen {
        let! id = Gen.choose64 (-1_000_000L, 1_000_000L)
        let! name = Gen.elements [ ""; "a"; "O'Brien"; "ünïcödé"; "spaces  in  text"; String('x', 300) ]
        let! suffix = Gen.choose (0, 999)
        let! score = Gen.optionOf (Gen.elements [ 0.0; -0.5; 1e300; -1e-300; 3.25; 42.0 ])
        let! flag = Gen.optionOf (Gen.elements [ true; false ])
        return { Id = id; Name = name + string suffix; Score = score; Flag = flag }
    }

/// Distinct ids, since id is the primary key.
let private rowsGen =
    Gen.listOf rowGen |> Gen.map (List.distinctBy (fun r -> r.Id))

let private roundTrip (rows: Row list) =
    use tmp = new TempDatabase()
    (
        use db = Database.Open(tmp.Path, DatabaseOptions(PageSizeBytes = 2048))
        use s = db.OpenSession()
        script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, flag BOOLEAN)"
        for chunk in List.chunkBySize 50 rows do
            script s ("INSERT INTO t VALUES " + (chunk |> List.map literal |> String.concat ", "))
    )
    use db = Database.Open tmp.Path
    use s = db.OpenSession()
    let sorted = rows |> List.sortBy (fun r -> r.Id)
    let scanned = Sql.rows s "SELECT * FROM t"
    let bySeek = sorted |> List.collect (fun r -> Sql.rows s (sprintf "SELECT * FROM t WHERE id = %d" r.Id))
    scanned = (sorted |> List.map expected) && bySeek = (sorted |> List.map expected)

[<Fact>]
let ``inserted rows read back equal by scan and by key seek after reopen`` () =
    let prop = Prop.forAll (Arb.fromGen rowsGen) roundTrip
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), prop)
