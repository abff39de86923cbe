module Foundry.Cli.Tests.ExecTests

open System.IO
open Xunit
open Foundry.Cli.Tests.Cli

let private setup = "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x,y'), (2, NULL);"

[<Fact>]
let ``exec -c prints csv with a header`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry"; "-c"; setup + " SELECT a, b FROM t ORDER BY a"; "--format"; "csv" ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    Assert.Equal("a,b\r\n1,\"x,y\"\r\n2,\r\n", r.Out)

[<Fact>]
let ``exec -c prints one json array per query`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry"; "-c"; setup + " SELECT a, b FROM t ORDER BY a"; "--format"; "json" ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    Assert.Equal("[{\"a\":1,\"b\":\"x,y\"},{\"a\":2,\"b\":null}]\n", r.Out)

[<Fact>]
let ``exec prints a table and status lines by default`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry"; "-c"; setup + " SELECT a, b FROM t ORDER BY a" ]
    Assert.Equal(0, r.ExitCode)
    Assert.Contains("INSERT 2", r.Out)
    Assert.Contains("x,y", r.Out)
    Assert.Contains("NULL", r.Out)
    Assert.Contains("(2 rows)", r.Out)

[<Fact>]
let ``exec -f reports an error with the file name and exits 1`` () =
    use dir = new TempDir()
    let script = dir.File "bad.sql"
    File.WriteAllText(script, "CREATE TABLE t (a INTEGER);\nSELEC 1;\n")
    let r = run "" [ "exec"; dir.File "db.foundry"; "-f"; script ]
    Assert.Equal(1, r.ExitCode)
    Assert.StartsWith(script + ":2:1: ", r.Err)
    Assert.Contains("SELEC 1;", r.Err)
    Assert.Contains("^", r.Err)

[<Fact>]
let ``exec needs exactly one of -c, -f and --jsonl`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry" ]
    Assert.NotEqual(0, r.ExitCode)
    Assert.Contains("exactly one of", r.Err)

[<Fact>]
let ``exec -f on a missing file is a clear error`` () =
    use dir = new TempDir()
    let r = run "" [ "exec"; dir.File "db.foundry"; "-f"; dir.File "missing.sql" ]
    Assert.Equal(1, r.ExitCode)
    Assert.StartsWith("foundry: no such file", r.Err)
