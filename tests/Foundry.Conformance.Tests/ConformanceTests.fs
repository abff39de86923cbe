/// The conformance suite proper: Foundry in-process against every file of the corpus, the report,
/// the regression ratchet against baseline.txt, and the 99% target of issue 5.
module Foundry.Conformance.Tests.ConformanceTests

open System
open System.IO
open Xunit
open Xunit.Abstractions
open Foundry.Conformance.Tests.Slt
open Foundry.Conformance.Tests.Corpus

type private Outcome =
    { Run: CorpusRun
      /// The baseline as checked in before this run (None when the file is missing).
      Baseline: Map<string, int> option
      ReportPath: string
      /// Set when FOUNDRY_UPDATE_BASELINE=1 rewrote baseline.txt in this run.
      Rewrote: bool }

/// The corpus runs once per test process, whichever test needs it first.
let private outcome =
    lazy
        (let run = runCorpus (fun () -> new Engines.FoundryEngine() :> IEngine)
         let baseline = if File.Exists(baselinePath ()) then Some(readBaseline ()) else None
         let reportPath = writeReport run
         let rewrote =
             if updatingBaseline () then
                 File.WriteAllText(baselinePath (), formatBaseline run)
                 true
             else
                 false
         { Run = run; Baseline = baseline; ReportPath = reportPath; Rewrote = rewrote })

type ConformanceTests(output: ITestOutputHelper) =

    /// One case per file named in baseline.txt or present in the corpus.
    static member Files: obj[] seq =
        let fromBaseline =
            try
                readBaseline () |> Map.keys |> List.ofSeq
            with _ -> []
        let fromCorpus =
            try
                corpusFiles ()
            with _ -> []
        fromBaseline @ fromCorpus |> List.distinct |> List.sort |> Seq.map (fun f -> [| box f |])

    [<Fact>]
    member _.``Conformance report: every file runs, baseline.txt names exactly the corpus files``() =
        let o = outcome.Force()
        let run = o.Run
        output.WriteLine(table run)
        output.WriteLine(sprintf "%d passed, %d failed, %d skipped" run.Passed run.Failed run.Skipped)
        output.WriteLine(sprintf "runtime: %.1f s (%d files at once); report: %s" run.Elapsed.TotalSeconds run.Parallelism o.ReportPath)
        if o.Rewrote then output.WriteLine(sprintf "FOUNDRY_UPDATE_BASELINE=1: rewrote %s" (baselinePath ()))
        match o.Baseline with
        | None when not o.Rewrote ->
            failwithf "%s is missing; create it with FOUNDRY_UPDATE_BASELINE=1 dotnet test tests/Foundry.Conformance.Tests" (baselinePath ())
        | None -> ()
        | Some baseline when not o.Rewrote ->
            let files = run.Files |> List.map (fun f -> f.File) |> Set.ofList
            let named = baseline |> Map.keys |> Set.ofSeq
            let missing = Set.difference files named
            let stale = Set.difference named files
            if not missing.IsEmpty || not stale.IsEmpty then
                failwithf
                    "baseline.txt is out of step with the corpus: files without a baseline %A, baseline entries without a file %A. Rewrite it with FOUNDRY_UPDATE_BASELINE=1."
                    (List.ofSeq missing)
                    (List.ofSeq stale)
        | Some _ -> ()
        let timedOut = run.Files |> List.filter (fun f -> f.TimedOut)
        Assert.True(timedOut.IsEmpty, sprintf "files abandoned after a record ran past the time limit: %A" (timedOut |> List.map (fun f -> f.File)))

    /// The ratchet: a file must pass at least as many records as baseline.txt says.
    [<Theory>]
    [<MemberData(nameof ConformanceTests.Files)>]
    member _.``No regression against baseline.txt``(file: string) =
        let o = outcome.Force()
        let result =
            match o.Run.File file with
            | Some r -> r
            | None -> failwithf "%s is in baseline.txt but not in the corpus at %s" file (corpusDir ())
        output.WriteLine(fileLine result)
        for r in result.Failures |> List.truncate (failuresShown ()) do
            output.WriteLine(describeFailure file r)
        output.WriteLine(sprintf "full report: %s" o.ReportPath)
        let baseline = o.Baseline |> Option.bind (Map.tryFind file)
        match baseline with
        | _ when o.Rewrote ->
            match baseline with
            | Some b when result.Passed < b ->
                output.WriteLine(sprintf "WARNING: baseline LOWERED from %d to %d; justify this in the commit" b result.Passed)
            | _ -> output.WriteLine(sprintf "baseline rewritten: %d" result.Passed)
        | None -> output.WriteLine(sprintf "no baseline yet for %s (%d pass); add it with FOUNDRY_UPDATE_BASELINE=1" file result.Passed)
        | Some b when result.Passed < b ->
            failwithf
                "REGRESSION in %s: %d records pass, the baseline is %d (%d fewer). The first failures are listed above and in %s; to find the records that broke, diff TestResults/conformance-failures.txt (every failing file:line) against a run of the previous commit."
                file
                result.Passed
                b
                (b - result.Passed)
                o.ReportPath
        | Some b when result.Passed > b ->
            output.WriteLine(
                sprintf
                    "IMPROVEMENT in %s: %d records pass, the baseline is %d (+%d). Raise it: FOUNDRY_UPDATE_BASELINE=1 dotnet test tests/Foundry.Conformance.Tests"
                    file
                    result.Passed
                    b
                    (result.Passed - b)
            )
        | Some _ -> ()

    /// Issue 5's target: at least 99% of the applicable records pass, on every run.
    [<Fact>]
    member _.``Target 99 percent of applicable records``() =
        let run = outcome.Force().Run
        let applicable = run.Passed + run.Failed
        let needed = int (Math.Ceiling(TargetRate * float applicable))
        let gap = max 0 (needed - run.Passed)
        output.WriteLine(
            sprintf
                "conformance: %d of %d applicable records pass (%s); the target %s needs %d, %d more"
                run.Passed
                applicable
                (percent run.Rate)
                (percent TargetRate)
                needed
                gap
        )
        Assert.True((gap = 0), sprintf "below the %s target: %d of %d pass (%s), %d more needed" (percent TargetRate) run.Passed applicable (percent run.Rate) gap)
