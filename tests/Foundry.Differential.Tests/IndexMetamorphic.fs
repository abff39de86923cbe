/// The index metamorphic relation of issue 10: a query's answer never depends on which secondary
/// indexes exist. Every generated query runs twice on one Foundry database, with the case's
/// secondary indexes and, after they are dropped, with none (the same rows); the answers must be
/// equal. Which access
/// path a scan takes (a key seek, an index range, a covering index) is the planner's choice
/// (Physical/PlanScan.fs), so a difference is a planner or code-generation bug.
module Foundry.Differential.Tests.IndexMetamorphic

open Foundry.Differential.Tests.Model
open Foundry.Differential.Tests.Engines
open Foundry.Differential.Tests.Differential

/// The same answer: equal rows, or the same Foundry error on both (an error escaping the engine,
/// which Engines.Foundry reports as "internal", is a bug and never counts as the same).
let sameAnswer (ordered: bool) (withoutIndexes: Answer) (withIndexes: Answer) =
    match withoutIndexes, withIndexes with
    | Failed x, Failed y -> x = y && not (x.StartsWith "internal")
    | _ -> agree ordered withoutIndexes withIndexes

/// Runs every query of the case on one database, first with the secondary indexes, then again
/// after dropping them all (the same rows). In the outcomes, Expected is the answer without indexes
/// and Actual the answer with them.
let run (c: Case) : Outcome list =
    use db = new Foundry()
    match renderSetup c.Tables |> String.concat "\n" with
    | "" -> ()
    | setup -> db.Script setup
    let queries = c.Queries |> List.map (fun q -> q, renderQuery q)
    let indexed = queries |> List.map (fun (_, sql) -> db.Query sql)
    for t in c.Tables do
        for i in 0 .. t.Indexes.Length - 1 do
            db.Script(sprintf "DROP INDEX %s;" (indexName t i))
    List.map2
        (fun (q, sql) withIndexes ->
            { Query = q
              Sql = sql
              Ordered = orderIsTotal q
              Expected = db.Query sql
              Actual = withIndexes })
        queries
        indexed

/// Schema, rows, indexes and query as one script, with both answers.
let report (c: Case) (o: Outcome) : string =
    let used = queryTables o.Query
    [ yield "-- schema, data and indexes"
      yield! renderSetup (c.Tables |> List.filter (fun t -> List.contains t.Name used))
      yield "-- query (compared " + (if o.Ordered then "in order" else "as multisets") + ")"
      yield o.Sql + ";"
      yield "-- without indexes: " + (formatAnswer o.Expected).Replace("\n", "\n--   ")
      yield "-- with indexes:    " + (formatAnswer o.Actual).Replace("\n", "\n--   ") ]
    |> String.concat "\n"
