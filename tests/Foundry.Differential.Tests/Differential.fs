/// Shared by the property and the regression tests: run a case on both engines and explain any
/// disagreement as a runnable SQL script.
module Foundry.Differential.Tests.Differential

open System
open Foundry.Differential.Tests.Model
open Foundry.Differential.Tests.Engines

type Outcome =
    { Query: Query
      Sql: string
      Ordered: bool
      Expected: Answer
      Actual: Answer }

    member this.Agree = agree this.Ordered this.Expected this.Actual

/// Loads the tables into a fresh SQLite and a fresh Foundry database and runs every query on both.
let run (c: Case) : Outcome list =
    let setup = renderSetup c.Tables |> String.concat "\n"
    use sqlite = new Sqlite()
    use foundry = new Foundry()
    if setup <> "" then
        sqlite.Script setup
        foundry.Script setup
    [ for q in c.Queries ->
          let sql = renderQuery q
          { Query = q
            Sql = sql
            Ordered = orderIsTotal q
            Expected = sqlite.Query sql
            Actual = foundry.Query sql } ]

/// Schema, rows and query as one script (only the tables the query reads), with both answers.
let report (c: Case) (o: Outcome) : string =
    let used = queryTables o.Query
    let tables = c.Tables |> List.filter (fun t -> List.contains t.Name used)
    [ yield "-- schema and data"
      yield! renderSetup tables
      yield "-- query (compared " + (if o.Ordered then "in order" else "as multisets") + ")"
      yield o.Sql + ";"
      yield "-- expected (SQLite): " + (formatAnswer o.Expected).Replace("\n", "\n--   ")
      yield "-- actual (Foundry):  " + (formatAnswer o.Actual).Replace("\n", "\n--   ") ]
    |> String.concat "\n"

/// Runs one SQL script's setup and one query on both engines (for the regression tests).
let runSql (setup: string) (sql: string) (ordered: bool) : Answer * Answer * bool =
    use sqlite = new Sqlite()
    use foundry = new Foundry()
    if setup <> "" then
        sqlite.Script setup
        foundry.Script setup
    let e = sqlite.Query sql
    let a = foundry.Query sql
    e, a, agree ordered e a
