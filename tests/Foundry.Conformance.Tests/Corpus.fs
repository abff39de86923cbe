/// Where the corpus and the baseline live, running the whole corpus, the report and the baseline file.
module Foundry.Conformance.Tests.Corpus

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Threading.Tasks
open Foundry.Conformance.Tests.Slt

/// The engine name Foundry runs as in skipif/onlyif.
[<Literal>]
let EngineName = "foundry"

/// The repository root: the nearest directory above the test binary holding FoundryCompiler.sln.
let repoRoot =
    lazy
        (let rec up (d: DirectoryInfo) =
            if isNull d then
                failwithf "no FoundryCompiler.sln above the test binary at %s" AppContext.BaseDirectory
            elif File.Exists(Path.Combine(d.FullName, "FoundryCompiler.sln")) then
                d.FullName
            else
                up d.Parent
         up (DirectoryInfo AppContext.BaseDirectory))

/// ../shared/conformance/sqllogictest beside the repository.
let corpusDir () =
    Path.GetFullPath(Path.Combine(repoRoot.Value, "..", "shared", "conformance", "sqllogictest"))

/// The .test files of the corpus, as '/'-separated paths relative to it, in ordinal order. Fails
/// with a clear message when the corpus is missing or empty: a missing corpus must never pass.
let corpusFiles () : string list =
    let dir = corpusDir ()
    if not (Directory.Exists dir) then
        failwithf
            "The sqllogictest corpus is missing: expected it at %s (../shared/conformance/sqllogictest beside the repository at %s)."
            dir
            repoRoot.Value
    let files =
        Directory.GetFiles(dir, "*.test", SearchOption.AllDirectories)
        |> Array.map (fun f -> Path.GetRelativePath(dir, f).Replace('\\', '/'))
        |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
        |> List.ofArray
    if files.IsEmpty then failwithf "The sqllogictest corpus at %s holds no .test files." dir
    files

let parseFile (relative: string) =
    parse (File.ReadAllText(Path.Combine(corpusDir (), relative)))

let private envInt (name: string) (fallback: int) =
    match Environment.GetEnvironmentVariable name with
    | null
    | "" -> fallback
    | v ->
        match Int32.TryParse v with
        | true, n when n > 0 -> n
        | _ -> failwithf "%s must be a positive integer, not '%s'" name v

/// Per-record time limit (FOUNDRY_CONFORMANCE_TIMEOUT seconds, default 60 as in the README).
let recordTimeout () =
    TimeSpan.FromSeconds(float (envInt "FOUNDRY_CONFORMANCE_TIMEOUT" 60))

/// Files run at once (FOUNDRY_CONFORMANCE_PARALLEL, default: the processor count). Each file has its own database.
let parallelism () =
    envInt "FOUNDRY_CONFORMANCE_PARALLEL" Environment.ProcessorCount

type CorpusRun =
    { Engine: string
      Files: FileResult list
      Elapsed: TimeSpan
      Parallelism: int }

    member r.Passed = r.Files |> List.sumBy (fun f -> f.Passed)
    member r.Failed = r.Files |> List.sumBy (fun f -> f.Failed)
    member r.Skipped = r.Files |> List.sumBy (fun f -> f.Skipped)
    member r.Rate = if r.Passed + r.Failed = 0 then 1.0 else float r.Passed / float (r.Passed + r.Failed)
    member r.File(name: string) = r.Files |> List.tryFind (fun f -> f.File = name)

/// Runs every file of the corpus, each against its own fresh engine, largest files first across
/// `parallelism ()` workers. Results come back in file order.
let runCorpus (openEngine: unit -> IEngine) : CorpusRun =
    let sw = Stopwatch.StartNew()
    let files = corpusFiles ()
    let degree = parallelism ()
    let bySize =
        files
        |> List.sortByDescending (fun f -> FileInfo(Path.Combine(corpusDir (), f)).Length)
        |> Array.ofList
    let results = Collections.Concurrent.ConcurrentDictionary<string, FileResult>()
    Parallel.ForEach(
        bySize,
        ParallelOptions(MaxDegreeOfParallelism = degree),
        fun (f: string) -> results.[f] <- runFile EngineName openEngine (recordTimeout ()) f (parseFile f)
    )
    |> ignore
    { Engine = EngineName
      Files = files |> List.map (fun f -> results.[f])
      Elapsed = sw.Elapsed
      Parallelism = degree }

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

let percent (rate: float) = sprintf "%.2f%%" (rate * 100.0)

/// One line per file: file, passed, failed, skipped, rate (a Markdown table row).
let fileLine (f: FileResult) =
    sprintf
        "| %s | %d | %d | %d | %s |%s"
        f.File
        f.Passed
        f.Failed
        f.Skipped
        (percent f.Rate)
        (if f.TimedOut then " TIMED OUT" else "")

let table (run: CorpusRun) =
    let sb = StringBuilder()
    sb.AppendLine("| file | passed | failed | skipped | rate |").AppendLine("|---|---:|---:|---:|---:|") |> ignore
    for f in run.Files do
        sb.AppendLine(fileLine f) |> ignore
    sb.AppendLine(sprintf "| **total** | **%d** | **%d** | **%d** | **%s** |" run.Passed run.Failed run.Skipped (percent run.Rate))
    |> ignore
    sb.ToString()

let private oneLine (s: string) =
    let s = s.Replace("\n", " ")
    if s.Length > 400 then s.Substring(0, 400) + " ..." else s

let private sqlOf (r: Record) =
    match r.Command with
    | Statement(ok, sql) -> (if ok then "statement ok: " else "statement error: ") + sql
    | Query(types, sort, label, sql, _) ->
        let mode = match sort with NoSort -> "nosort" | RowSort -> "rowsort" | ValueSort -> "valuesort"
        sprintf "query %s %s%s: %s" types mode (label |> Option.map ((+) " ") |> Option.defaultValue "") sql
    | Malformed(_, text) -> text
    | HashThreshold n -> sprintf "hash-threshold %d" n
    | Halt -> "halt"

/// A failure for the developers: where, why, the SQL, what was expected and what came back.
let describeFailure (file: string) (r: RecordResult) =
    let reason = match r.Status with Failed why -> why | s -> string s
    sprintf
        "%s:%d  %s\n    sql:      %s\n    expected: %s\n    actual:   %s"
        file
        r.Record.Line
        (oneLine reason)
        (oneLine (sqlOf r.Record))
        (oneLine r.Expected)
        (oneLine r.Actual)

/// How many failures per file the report shows in full (FOUNDRY_CONFORMANCE_SHOW, default 5).
let failuresShown () = envInt "FOUNDRY_CONFORMANCE_SHOW" 5

let report (run: CorpusRun) =
    let sb = StringBuilder()
    let line (s: string) = sb.AppendLine s |> ignore
    line (sprintf "Foundry sqllogictest conformance (engine name '%s')" run.Engine)
    line (sprintf "corpus: %s" (corpusDir ()))
    line ""
    line (table run)
    line (sprintf "%d passed, %d failed, %d skipped" run.Passed run.Failed run.Skipped)
    line (sprintf "runtime: %.1f s (%d files at once)" run.Elapsed.TotalSeconds run.Parallelism)
    for f in run.Files do
        line (sprintf "  %s: %.2f s" f.File f.Elapsed.TotalSeconds)
    line ""
    for f in run.Files do
        let failures = f.Failures
        if not failures.IsEmpty then
            line (sprintf "== %s: first %d of %d failures" f.File (min (failuresShown ()) failures.Length) failures.Length)
            for r in failures |> List.truncate (failuresShown ()) do
                line (describeFailure f.File r)
            line ""
    sb.ToString()

/// Every failing record, one line each (file:line reason), to diff two runs record by record.
let failureList (run: CorpusRun) =
    let sb = StringBuilder()
    for f in run.Files do
        for r in f.Failures do
            let reason = match r.Status with Failed why -> why | _ -> ""
            sb.AppendLine(sprintf "%s:%d %s" f.File r.Record.Line (oneLine reason)) |> ignore
    sb.ToString()

/// Writes TestResults/conformance.txt and TestResults/conformance-failures.txt under the working
/// directory; returns the report's path.
let writeReport (run: CorpusRun) =
    let dir = Path.Combine(Directory.GetCurrentDirectory(), "TestResults")
    Directory.CreateDirectory dir |> ignore
    let path = Path.Combine(dir, "conformance.txt")
    File.WriteAllText(path, report run)
    File.WriteAllText(Path.Combine(dir, "conformance-failures.txt"), failureList run)
    path

// ---------------------------------------------------------------------------------------------
// Baseline
// ---------------------------------------------------------------------------------------------

/// The checked-in baseline: tests/Foundry.Conformance.Tests/baseline.txt in the source tree.
let baselinePath () =
    Path.Combine(repoRoot.Value, "tests", "Foundry.Conformance.Tests", "baseline.txt")

/// "file passed" per line; '#' starts a comment line.
let parseBaseline (text: string) : Map<string, int> =
    text.Split('\n')
    |> Array.map (fun l -> l.Trim())
    |> Array.filter (fun l -> l <> "" && not (l.StartsWith "#"))
    |> Array.map (fun l ->
        match l.Split([| ' '; '\t' |], StringSplitOptions.RemoveEmptyEntries) with
        | [| file; n |] ->
            match Int32.TryParse n with
            | true, v when v >= 0 -> file, v
            | _ -> failwithf "baseline.txt: bad count in '%s'" l
        | _ -> failwithf "baseline.txt: expected 'file passed', got '%s'" l)
    |> Map.ofArray

let readBaseline () : Map<string, int> =
    let path = baselinePath ()
    if not (File.Exists path) then
        failwithf "The conformance baseline %s is missing; create it with FOUNDRY_UPDATE_BASELINE=1 dotnet test tests/Foundry.Conformance.Tests" path
    parseBaseline (File.ReadAllText path)

let formatBaseline (run: CorpusRun) =
    let sb = StringBuilder()
    sb.AppendLine("# Passing sqllogictest records per file: the conformance ratchet (docs/conformance.md).")
      .AppendLine("# The suite fails when a file passes fewer records than this. After an improvement, raise it with")
      .AppendLine("#   FOUNDRY_UPDATE_BASELINE=1 dotnet test tests/Foundry.Conformance.Tests")
    |> ignore
    for f in run.Files do
        sb.AppendLine(sprintf "%s %d" f.File f.Passed) |> ignore
    sb.ToString()

/// Whether this run should rewrite the baseline (FOUNDRY_UPDATE_BASELINE=1).
let updatingBaseline () =
    Environment.GetEnvironmentVariable "FOUNDRY_UPDATE_BASELINE" = "1"

[<Literal>]
let TargetRate = 0.99
