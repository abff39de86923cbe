/// The generated-query properties. The differential property of issue 5: generated schemas, rows
/// (NULLs included), secondary indexes and queries give the same answer on SQLite and on Foundry,
/// at least 1,000 queries per run. The index metamorphic property of issue 10: every generated
/// query gives the same answer on Foundry with and without the secondary indexes. A failure shrinks
/// to a minimal script, printed in the test's failure message and output.
module Foundry.Differential.Tests.PropertyTests

open System
open System.Diagnostics
open FsCheck
open FsCheck.FSharp
open Xunit
open Xunit.Abstractions
open Foundry.Differential.Tests.Model
open Foundry.Differential.Tests.Differential

/// Cases per run from an environment variable (for longer bug-hunting runs), or the default.
let private casesFrom (variable: string) (fallback: int) =
    match Environment.GetEnvironmentVariable variable with
    | null
    | "" -> fallback
    | n -> int n

/// Differential cases per run (each runs `Generators.queriesPerCase` queries); FOUNDRY_DIFF_CASES overrides it.
let cases = casesFrom "FOUNDRY_DIFF_CASES" 200

/// Metamorphic cases per run, as many as fit in about 60 s on the CI machine; FOUNDRY_INDEX_CASES overrides it.
let indexCases = casesFrom "FOUNDRY_INDEX_CASES" 400

let minimumQueries = 1000

/// Checks `agreeing` on `count` generated cases: `run` answers a case's queries, `report` explains a
/// disagreement; `what` names the two sides in the failure message. Returns the queries run.
let private checkGenerated
    (output: ITestOutputHelper)
    (what: string)
    (count: int)
    (run: Case -> Outcome list)
    (agreeing: Outcome -> bool)
    (report: Case -> Outcome -> string)
    =
    let mutable queries = 0
    let mutable lastFailure: string option = None
    let check (c: Case) =
        let outcomes =
            try
                run c
            with e ->
                lastFailure <- Some(sprintf "%s\n-- raised %s" (renderSetup c.Tables |> String.concat "\n") (e.ToString()))
                reraise ()
        queries <- queries + outcomes.Length
        match outcomes |> List.tryFind (agreeing >> not) with
        | None -> true
        | Some o ->
            lastFailure <- Some(report c o)
            false
    let clock = Stopwatch.StartNew()
    output.WriteLine("Known Foundry bugs left out of the generators (Generators.fs, Exclusions):")
    for name, description in Generators.Exclusions.all do
        output.WriteLine(sprintf "  %s: %s" name description)
    try
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(count), Prop.forAll Generators.arbCase check)
    with e ->
        let script = lastFailure |> Option.defaultValue "(no failing case recorded)"
        output.WriteLine("Minimal failing case:\n" + script)
        raise (Exception(what + " disagree; minimal failing case:\n" + script + "\n\n" + e.Message, e))
    output.WriteLine(sprintf "%d generated queries agreed in %.1f s" queries clock.Elapsed.TotalSeconds)
    queries

type DifferentialProperty(output: ITestOutputHelper) =

    [<Fact>]
    member _.``SQLite and Foundry agree on generated queries``() =
        let queries = checkGenerated output "SQLite and Foundry" cases run (fun o -> o.Agree) report
        Assert.True(queries >= minimumQueries, sprintf "only %d queries ran (want at least %d)" queries minimumQueries)

    [<Fact>]
    member _.``Foundry answers every generated query the same with and without secondary indexes``() =
        let same (o: Outcome) = IndexMetamorphic.sameAnswer o.Ordered o.Expected o.Actual
        let queries = checkGenerated output "Foundry with and without indexes" indexCases IndexMetamorphic.run same IndexMetamorphic.report
        Assert.True(queries >= minimumQueries, sprintf "only %d queries ran (want at least %d)" queries minimumQueries)
