module Foundry.Cli.Tests.ExplainTests

open System.IO
open Xunit
open Foundry.Cli.Tests.Cli

[<Fact>]
let ``explain --stage ast prints the syntax tree of a statement`` () =
    let r = run "" [ "explain"; "--stage"; "ast"; "SELECT 1" ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    Assert.False(System.String.IsNullOrWhiteSpace r.Out)

[<Fact>]
let ``explain against a database that does not exist is an error and creates nothing`` () =
    use dir = new TempDir()
    let db = dir.File "missing.foundry"
    let r = run "" [ "explain"; db; "--stage"; "ast"; "SELECT 1" ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("no such database", r.Err)
    Assert.False(File.Exists db)

[<Fact>]
let ``explain of bad SQL prints the located error`` () =
    let r = run "" [ "explain"; "--stage"; "ast"; "SELEC 1" ]
    Assert.Equal(1, r.ExitCode)
    Assert.StartsWith("1:1: ", r.Err)

[<Fact>]
let ``explain rejects an unknown stage`` () =
    let r = run "" [ "explain"; "--stage"; "tea-leaves"; "SELECT 1" ]
    Assert.NotEqual(0, r.ExitCode)

[<Fact>]
let ``explain --disable-rule switches a rule off and --verbose traces the rules that fired`` () =
    let sql = "SELECT 1 + 2 WHERE 1 = 1"
    let folded = run "" [ "explain"; "--stage"; "optimized"; sql ]
    Assert.Contains("FoldConstants", folded.Out)
    let unfolded = run "" [ "explain"; "--stage"; "optimized"; "--disable-rule"; "FoldConstants"; "--disable-rule"; "EliminateFilter"; sql ]
    Assert.Equal(0, unfolded.ExitCode)
    Assert.Contains("1 + 2", unfolded.Out)
    Assert.Contains("rules fired: none", unfolded.Out)
    let trace = run "" [ "explain"; "--verbose"; sql ]
    Assert.Contains("== initial ==", trace.Out)
    Assert.Contains("== Simplify / FoldConstants ==", trace.Out)

[<Fact>]
let ``explain --list-rules names every rule and an unknown rule is an error`` () =
    let rules = run "" [ "explain"; "--list-rules"; "SELECT 1" ]
    Assert.Equal(0, rules.ExitCode)
    Assert.Contains("DecorrelateSubqueries", rules.Out)
    Assert.Contains("PushFilterIntoJoin", rules.Out)
    let bad = run "" [ "explain"; "--disable-rule"; "MakeItFast"; "SELECT 1" ]
    Assert.Equal(1, bad.ExitCode)
    Assert.Contains("unknown rule MakeItFast", bad.Err)

[<Fact>]
let ``explain --format dot draws the plan as a Graphviz tree, labels escaped`` () =
    let sql = "SELECT a.x FROM (VALUES (1, 'a')) AS a(x, y) JOIN (VALUES (1)) AS b(x) ON a.x = b.x WHERE a.y <> 'say \"hi\"'"
    let r = run "" [ "explain"; "--stage"; "physical"; "--format"; "dot"; sql ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    let out = lines r.Out
    Assert.Equal("digraph plan {", List.head out)
    Assert.Equal("}", List.last out)
    let nodes = out |> List.filter (fun l -> l.Contains "[label=")
    let edges = out |> List.filter (fun l -> l.Contains " -> ")
    // A tree: every node but the root has exactly one incoming edge.
    Assert.Equal(nodes.Length - 1, edges.Length)
    Assert.Equal(nodes.Length - 1, edges |> List.map (fun e -> e.Split(" -> ").[1]) |> List.distinct |> List.length)
    Assert.Contains(nodes, fun n -> n.Contains "HashJoin Inner")
    Assert.Contains(nodes, fun n -> n.Contains "say \\\"hi\\\"")

[<Fact>]
let ``explain --format dot is refused for stages that are not plans`` () =
    let r = run "" [ "explain"; "--stage"; "ast"; "--format"; "dot"; "SELECT 1" ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("--format dot draws plans", r.Err)
    Assert.Equal("", r.Out)
