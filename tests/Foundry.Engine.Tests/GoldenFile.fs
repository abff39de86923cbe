/// The golden-file format: data-driven compiler tests.
///
///     # a comment
///     setup
///     CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)
///     ----
///
///     optimized expect=PushFilterIntoScan expect-not=EliminateFilter
///     SELECT a FROM t WHERE a = 1
///     ----
///     <expected text of that stage>
///
/// A record is a directive line, SQL lines, a `----` line and the expected output, ending at a blank
/// line. `setup` runs its SQL as a script and expects nothing. Other directives name a stage (ast,
/// bound, logical, optimized, physical, code) and may assert that rules fire (expect=) or stay
/// silent (expect-not=). Setting FOUNDRY_UPDATE_GOLDEN=1 rewrites the expected outputs in place.
module Foundry.Engine.Tests.GoldenFile

open System
open System.IO

type Record =
    { Comments: string list
      Directive: string
      Sql: string
      Expected: string }

    member this.Stage = this.Directive.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]

    /// Rule names listed under `key=` (comma separated, the key may repeat).
    member this.Option(key: string) =
        this.Directive.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        |> Array.filter (fun p -> p.StartsWith(key + "="))
        |> Array.collect (fun p -> p.Substring(key.Length + 1).Split(','))
        |> List.ofArray

let parse (text: string) : Record list =
    let lines = text.Replace("\r\n", "\n").Split('\n') |> List.ofArray
    let rec records (lines: string list) (comments: string list) acc =
        match lines with
        | [] -> List.rev acc
        | l :: rest when l.Trim() = "" -> records rest comments acc
        | l :: rest when l.StartsWith "#" -> records rest (comments @ [ l ]) acc
        | directive :: rest ->
            let sql = rest |> List.takeWhile (fun l -> l <> "----")
            let afterSql = rest |> List.skip (min rest.Length (sql.Length + 1))
            let expected = afterSql |> List.takeWhile (fun l -> l.Trim() <> "")
            let remaining = afterSql |> List.skip expected.Length
            let record =
                { Comments = comments
                  Directive = directive.Trim()
                  Sql = String.Join("\n", sql)
                  Expected = String.Join("\n", expected) }
            records remaining [] (record :: acc)
    records lines [] []

let print (records: Record list) =
    records
    |> List.map (fun r ->
        let head = r.Comments @ [ r.Directive; r.Sql; "----" ]
        String.Join("\n", if r.Expected = "" then head else head @ [ r.Expected ]))
    |> fun blocks -> String.Join("\n\n", blocks) + "\n"

/// The repository's tests/golden folder, found upward from the test binary.
let goldenDirectory () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then failwith "tests/golden not found above the test binary"
        elif File.Exists(Path.Combine(dir.FullName, "FoundryCompiler.sln")) then Path.Combine(dir.FullName, "tests", "golden")
        else up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let updating () = Environment.GetEnvironmentVariable "FOUNDRY_UPDATE_GOLDEN" = "1"
