/// Checks of the runner against the corpus itself: the record counts the README states, the sort
/// order and label hashes of the expected blocks, and SQLite (the reference engine) passing it all.
module Foundry.Conformance.Tests.CorpusTests

open Xunit
open Xunit.Abstractions
open Foundry.Conformance.Tests.Slt
open Foundry.Conformance.Tests.Corpus

/// Records run and skipped for an engine named foundry, per file, as the corpus README states them.
let readmeCounts =
    [ "evidence/in1.test", (132, 84)
      "evidence/in2.test", (53, 1)
      "evidence/slt_lang_createview.test", (15, 10)
      "evidence/slt_lang_dropview.test", (13, 0)
      "evidence/slt_lang_droptable.test", (12, 0)
      "evidence/slt_lang_update.test", (27, 0)
      "random/aggregates/slt_good_129.test", (802, 344)
      "random/expr/slt_good_1.test", (10012, 3871)
      "random/groupby/slt_good_13.test", (3182, 270)
      "random/select/slt_good_124.test", (2865, 532)
      "select1.test", (1031, 0)
      "select2.test", (1031, 0) ]

/// Applicable and skipped counted records of a parsed file, honouring an applicable halt.
let private counts (records: Record list) =
    let mutable halted = false
    let mutable run = 0
    let mutable skipped = 0
    for r in records do
        let applicable = not halted && applies EngineName r
        if applicable && r.Command = Halt then halted <- true
        if isCounted r then
            if applicable then run <- run + 1 else skipped <- skipped + 1
    run, skipped

[<Fact>]
let ``the parser finds the records the corpus README counts, per file and in total`` () =
    let files = corpusFiles ()
    Assert.Equal<string list>(readmeCounts |> List.map fst |> List.sort, files |> List.sort)
    for file, expected in readmeCounts do
        Assert.True((expected = counts (parseFile file)), sprintf "%s: README says (run, skipped) = %A, parsed %A" file expected (counts (parseFile file)))
    let all = files |> List.map (parseFile >> counts)
    Assert.Equal((19175, 5112), (List.sumBy fst all, List.sumBy snd all))

[<Fact>]
let ``no corpus record is malformed, and value lists fill whole rows`` () =
    for file in corpusFiles () do
        for r in parseFile file do
            match r.Command with
            | Malformed(why, _) -> failwithf "%s:%d malformed: %s" file r.Line why
            | Query(types, _, _, _, Values vs) when vs.Length % types.Length <> 0 ->
                failwithf "%s:%d: %d values for %d columns" file r.Line vs.Length types.Length
            | _ -> ()

[<Fact>]
let ``expected blocks of rowsort and valuesort queries are already in the runner's sort order`` () =
    // A check on the sort: the corpus was sorted by the reference harness, bytewise on rendered text.
    for file in corpusFiles () do
        for r in parseFile file do
            match r.Command with
            | Query(types, sort, _, _, Values vs) when sort <> NoSort ->
                Assert.True((sortValues sort types.Length vs = vs), sprintf "%s:%d is not in %A order" file r.Line sort)
            | _ -> ()

[<Fact>]
let ``queries sharing a label expect the same hash within a file`` () =
    for file in corpusFiles () do
        let labelled =
            parseFile file
            |> List.filter (applies EngineName)
            |> List.choose (fun r ->
                match r.Command with
                | Query(_, _, Some label, _, e) -> Some(label, (expectedHash e, r.Line))
                | _ -> None)
            |> List.groupBy fst
        for label, uses in labelled do
            let hashes = uses |> List.map (snd >> fst) |> List.distinct
            Assert.True((hashes.Length = 1), sprintf "%s %s: hashes %A at lines %A" file label hashes (uses |> List.map (snd >> snd)))

type SqliteSelfCheck(output: ITestOutputHelper) =
    /// SQLite is the engine the corpus was written against (README: 3.40 passes all 19175 records).
    /// Run through this runner as engine "foundry", it must pass them all too, or the runner is wrong.
    [<Fact>]
    member _.``SQLite run through this runner passes every applicable record``() =
        let run = runCorpus (fun () -> new Engines.SqliteEngine() :> IEngine)
        output.WriteLine(sprintf "SQLite %s through the runner:" (Engines.sqliteVersion ()))
        output.WriteLine(table run)
        output.WriteLine(sprintf "%d passed, %d failed, %d skipped in %.1f s" run.Passed run.Failed run.Skipped run.Elapsed.TotalSeconds)
        for f in run.Files do
            for r in f.Failures |> List.truncate 5 do
                output.WriteLine(describeFailure f.File r)
        Assert.Equal((19175, 0, 5112), (run.Passed, run.Failed, run.Skipped))
