/// `foundry exec --memory-budget SIZE`: the operators' memory budget of the session, in bytes or with a
/// K, M or G suffix; anything else is a usage error.
module Foundry.Cli.Tests.MemoryBudgetTests

open Xunit
open Foundry.Cli.Commands
open Foundry.Cli.Tests.Cli

[<Fact>]
let ``memory budget sizes parse as bytes with binary suffixes`` () =
    for text, bytes in [ "1", 1L; "4096", 4096L; "4K", 4096L; "4kb", 4096L; "4KiB", 4096L; "16M", 16L <<< 20; "2G", 2L <<< 30; "512B", 512L ] do
        let ok, parsed = MemoryBudgetOption.TryParse text
        Assert.True(ok, text)
        Assert.Equal(bytes, parsed)
    for text in [ ""; "0"; "-1"; "4X"; "M"; "1.5M"; "99999999999G"; "4 M" ] do
        let ok, _ = MemoryBudgetOption.TryParse text
        Assert.False(ok, text)

[<Fact>]
let ``exec --memory-budget sets the budget statements run under`` () =
    use dir = new TempDir()
    let sql =
        "CREATE TABLE t (a INTEGER);
         INSERT INTO t SELECT (n * 7) % 500 FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 500) SELECT n FROM c) q;
         EXPLAIN ANALYZE SELECT a FROM t ORDER BY a"
    let r = run "" [ "exec"; dir.File "db.foundry"; "--memory-budget"; "1K"; "--format"; "csv"; "-c"; sql ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    Assert.Contains("Operator memory: peak ", r.Out)
    Assert.Contains("of a 1.0 KiB budget, spilled ", r.Out)

[<Fact>]
let ``exec --memory-budget rejects a size that is not one`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry"; "--memory-budget"; "0"; "-c"; "SELECT 1" ]
    Assert.NotEqual(0, r.ExitCode)
    Assert.Contains("--memory-budget: '0' is not a size", r.Err)
