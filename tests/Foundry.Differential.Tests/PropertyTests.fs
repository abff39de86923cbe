/// The differential property of issue 5: generated schemas, rows (NULLs included) and queries give
/// the same answer on SQLite and on Foundry. At least 1,000 queries per run; a failure shrinks to
/// a minimal script, printed in the test's failure message and output.
module Foundry.Differential.Tests.PropertyTests

open System
open System.Diagnostics
open FsCheck
open FsCheck.FSharp
open Xunit
open Xunit.Abstractions
open Foundry.Differential.Tests.Model
open Foundry.Differential.Tests.Differential

/// Cases per run (each runs `Generators.queriesPerCase` queries); FOUNDRY_DIFF_CASES overrides it
/// for longer bug-hunting runs.
let cases =
    match Environment.GetEnvironmentVariable "FOUNDRY_DIFF_CASES" with
    | null
    | "" -> 200
    | n -> int n

let minimumQueries = 1000

type DifferentialProperty(output: ITestOutputHelper) =

    [<Fact>]
    member _.``SQLite and Foundry agree on generated queries``() =
        let mutable queries = 0
        let mutable lastFailure : string option = None
        let check (c: Case) =
            let outcomes =
                try
                    run c
                with e ->
                    lastFailure <- Some(sprintf "%s\n-- raised %s" (Model.renderSetup c.Tables |> String.concat "\n") (e.ToString()))
                    reraise ()
            queries <- queries + outcomes.Length
            match outcomes |> List.tryFind (fun o -> not o.Agree) with
            | None -> true
            | Some o ->
                lastFailure <- Some(report c o)
                false
        let clock = Stopwatch.StartNew()
        let config = Config.QuickThrowOnFailure.WithMaxTest(cases)
        output.WriteLine("Known Foundry bugs left out of the generators (Generators.fs, Exclusions):")
        for name, description in Generators.Exclusions.all do
            output.WriteLine(sprintf "  %s: %s" name description)
        try
            Check.One(config, Prop.forAll Generators.arbCase check)
        with e ->
            let script = lastFailure |> Option.defaultValue "(no failing case recorded)"
            output.WriteLine("Minimal failing case:\n" + script)
            raise (Exception("SQLite and Foundry disagree; minimal failing case:\n" + script + "\n\n" + e.Message, e))
        output.WriteLine(sprintf "%d generated queries agreed in %.1f s" queries clock.Elapsed.TotalSeconds)
        Assert.True(queries >= minimumQueries, sprintf "only %d queries ran (want at least %d)" queries minimumQueries)
