/// Every SQL statement of the public sqllogictest corpus (../shared/conformance/sqllogictest) that
/// applies to Foundry must parse. Only the parser runs here; whether the statements bind and give the
/// right answers is the conformance runner's job.
module Foundry.Compiler.Tests.SqlLogicTestParseTests

open System
open System.IO
open Xunit
open Xunit.Abstractions
open Foundry.Compiler.Syntax

/// The corpus folder: walk up from the test binary to the folder holding FoundryCompiler.sln, then
/// ../shared/conformance/sqllogictest.
let private corpusFolder () =
    let rec up (dir: DirectoryInfo) =
        match dir with
        | null -> failwith "no folder above the test binary holds FoundryCompiler.sln"
        | d when File.Exists(Path.Combine(d.FullName, "FoundryCompiler.sln")) -> d
        | d -> up d.Parent
    let root = up (DirectoryInfo AppContext.BaseDirectory)
    Path.GetFullPath(Path.Combine(root.FullName, "..", "shared", "conformance", "sqllogictest"))

/// One SQL text of a record: the file, its 1-based line, and the SQL.
type private Record = { File: string; Line: int; Sql: string }

/// The SQL of every record that applies to the engine `foundry`. The format: `#` lines are dropped
/// first; records are separated by blank lines; `skipif`/`onlyif <engine>` lines lead a record; the
/// SQL of `statement ...` and `query ...` records is the lines after the header up to `----` or the
/// record's end.
let private records (path: string) : Record list =
    let lines =
        File.ReadAllLines path
        |> Array.mapi (fun i l -> i + 1, l.TrimEnd('\r'))
        |> Array.filter (fun (_, l) -> not (l.StartsWith '#'))
    let groups = ResizeArray<(int * string) list>()
    let current = ResizeArray<int * string>()
    for (n, l) in lines do
        if String.IsNullOrWhiteSpace l then
            if current.Count > 0 then
                groups.Add(List.ofSeq current)
                current.Clear()
        else current.Add((n, l))
    if current.Count > 0 then groups.Add(List.ofSeq current)
    [ for group in groups do
          let conditions = group |> List.takeWhile (fun (_, l) -> l.StartsWith "skipif " || l.StartsWith "onlyif ")
          let applies =
              conditions
              |> List.forall (fun (_, l) ->
                  // `onlyif mysql # why`: the engine is the second word; the rest is a comment.
                  match List.ofArray (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)) with
                  | "onlyif" :: engine :: _ -> engine = "foundry"
                  | "skipif" :: engine :: _ -> engine <> "foundry"
                  | _ -> true)
          match List.skip conditions.Length group with
          | (n, header) :: rest when applies && (header.StartsWith "statement" || header.StartsWith "query") ->
              let sql = rest |> List.takeWhile (fun (_, l) -> l <> "----") |> List.map snd |> String.concat "\n"
              yield { File = path; Line = n; Sql = sql }
          | _ -> () ]

type SqlLogicTestParseTests(output: ITestOutputHelper) =

    [<Fact>]
    member _.``at least 99.9% of the corpus statements parse``() =
        let folder = corpusFolder ()
        Assert.True(Directory.Exists folder, sprintf "the sqllogictest corpus is missing at %s" folder)
        let all =
            Directory.GetFiles(folder, "*.test", SearchOption.AllDirectories)
            |> Array.sort
            |> Seq.collect records
            |> List.ofSeq
        let failures =
            all
            |> List.choose (fun r ->
                match Parser.parseScript r.Sql with
                | Ok _ -> None
                | Result.Error ds -> Some(r, ds.Head.Message))
        for (r, message) in failures do
            output.WriteLine(sprintf "%s:%d: %s\n    %s" (Path.GetRelativePath(folder, r.File)) r.Line message r.Sql)
        let rate = float (all.Length - failures.Length) / float all.Length
        output.WriteLine(sprintf "%d of %d statements parse (%.3f%%)" (all.Length - failures.Length) all.Length (rate * 100.0))
        Assert.True(all.Length > 19000, sprintf "expected the whole corpus, found %d records" all.Length)
        Assert.True(rate >= 0.999, sprintf "only %.3f%% of the corpus parses" (rate * 100.0))
