/// Runs every tests/golden/*.test file: each stage dump must equal its expected text, and each
/// expect=/expect-not= rule assertion must hold.
module Foundry.Engine.Tests.GoldenTests

open System
open System.IO
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.GoldenFile

let files () : obj[] seq =
    Directory.GetFiles(goldenDirectory (), "*.test", SearchOption.AllDirectories)
    |> Array.sort
    |> Seq.map (fun f -> [| box (Path.GetRelativePath(goldenDirectory (), f)) |])

let private stageOf (name: string) =
    match name with
    | "ast" -> ExplainStage.Ast
    | "bound" -> ExplainStage.Bound
    | "logical" -> ExplainStage.Logical
    | "optimized" -> ExplainStage.Optimized
    | "physical" -> ExplainStage.Physical
    | "code" -> ExplainStage.Code
    | other -> failwithf "unknown golden directive '%s'" other

/// The rules that fired while optimizing, from the per-rule trace.
let private firedRules (db: Database) (sql: string) =
    let trace =
        try
            Explainer.ExplainRules(db, sql)
        with :? FoundryException -> ""
    trace.Split('\n')
    |> Array.filter (fun l -> l.StartsWith "== " && l.Contains " / ")
    |> Array.map (fun l -> (l.Split(" / ")[1]).TrimEnd([| ' '; '=' |]))
    |> Set.ofArray

[<Theory>]
[<MemberData(nameof files)>]
let ``golden file`` (relativePath: string) =
    let path = Path.Combine(goldenDirectory (), relativePath)
    let records = parse (File.ReadAllText path)
    use db = Database.OpenTemporary()
    use session = db.OpenSession()
    let failures = ResizeArray<string>()
    let actual =
        records
        |> List.map (fun r ->
            if r.Stage = "setup" then
                for result in session.ExecuteScript r.Sql do
                    result.Dispose()
                r
            else
                let output =
                    try
                        Explainer.Explain(db, r.Sql, stageOf r.Stage, ExplainFormat.Text)
                    with :? FoundryException as e -> "error: " + e.LocatedMessage
                if output <> r.Expected then
                    failures.Add(sprintf "%s\n%s\n-- expected --\n%s\n-- actual --\n%s" r.Directive r.Sql r.Expected output)
                let fired = firedRules db r.Sql
                for rule in r.Option "expect" do
                    if not (fired.Contains rule) then failures.Add(sprintf "%s\n%s\nexpected rule %s to fire; fired: %A" r.Directive r.Sql rule fired)
                for rule in r.Option "expect-not" do
                    if fired.Contains rule then failures.Add(sprintf "%s\n%s\nexpected rule %s not to fire" r.Directive r.Sql rule)
                { r with Expected = output })
    if updating () then File.WriteAllText(path, print actual)
    elif failures.Count > 0 then Assert.Fail(String.Join("\n\n", failures))
