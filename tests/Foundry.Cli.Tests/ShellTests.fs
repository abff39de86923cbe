/// `foundry shell` fed through redirected standard input: no prompts, statements gathered up to their ';'.
module Foundry.Cli.Tests.ShellTests

open System.IO
open Xunit
open Foundry.Cli.Tests.Cli

let private script =
    String.concat "\n" [
        "CREATE TABLE t ("
        "  a INTEGER PRIMARY KEY,"
        "  b TEXT"
        ");"
        ""
        "INSERT INTO t VALUES (1, 'one');"
        ".tables"
        ".schema t"
        "SELECT b FROM t;"
        "SELEC 1;"
        ".frobnicate"
        ".quit"
        "SELECT 'after quit';"
    ]

[<Fact>]
let ``shell runs a redirected script, reports errors with a caret and stops at .quit`` () =
    use dir = new TempDir()
    let r = run script [ "shell"; dir.File "db.foundry" ]
    let out = lines r.Out
    Assert.Contains("CREATE TABLE", out)
    Assert.Contains("INSERT 1", out)
    Assert.Contains("t", out)
    Assert.Contains("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);", out)
    Assert.Contains("(1 row)", out)
    Assert.Contains("one", r.Out)
    let errorAt = out |> List.findIndex (fun l -> l.StartsWith "1:1: ")
    // The source line under its line number, then carets under the offending token.
    Assert.Equal(" 1 | SELEC 1;", out[errorAt + 1])
    Assert.Equal("   | ^^^^^", out[errorAt + 2])
    Assert.Contains(".frobnicate", r.Out)
    Assert.Contains(".help", r.Out)
    Assert.DoesNotContain("after quit", r.Out)
    Assert.DoesNotContain("foundry>", r.Out)
    // A scripted shell reports failed statements through its exit code.
    Assert.Equal(1, r.ExitCode)

[<Fact>]
let ``shell without a database uses a temporary one`` () =
    let r = run "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (7);\nSELECT a FROM t;\n" [ "shell" ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    Assert.Contains("7", r.Out)
    Assert.Contains("(1 row)", r.Out)

[<Fact>]
let ``shell --init runs the script only when the database is new`` () =
    use dir = new TempDir()
    let init = dir.File "init.sql"
    File.WriteAllText(init, "CREATE TABLE p (id INTEGER PRIMARY KEY);\nINSERT INTO p VALUES (1);\n")
    let db = dir.File "db.foundry"
    let first = run ".tables\n" [ "shell"; db; "--init"; init ]
    Assert.Equal(0, first.ExitCode)
    Assert.Contains("p", lines first.Out)
    let second = run "SELECT id FROM p;\n" [ "shell"; db; "--init"; init ]
    Assert.Equal("", second.Err)
    Assert.Equal(0, second.ExitCode)
    Assert.Contains("(1 row)", second.Out)
    Assert.DoesNotContain("INSERT", second.Out)

[<Fact>]
let ``a real foundry process with redirected stdin runs the shell without prompts`` () =
    let proc = start [ "shell" ]
    proc.StandardInput.Write "CREATE TABLE t (a INTEGER);\nINSERT INTO t\n  VALUES (5);\nSELECT a FROM t;\n"
    proc.StandardInput.Close()
    let out = proc.StandardOutput.ReadToEndAsync()
    let err = proc.StandardError.ReadToEndAsync()
    Assert.True(proc.WaitForExit 60000, "foundry shell did not exit at end of input")
    Assert.Equal("", err.Result)
    Assert.Equal(0, proc.ExitCode)
    Assert.Contains("INSERT 1", out.Result)
    Assert.Contains("(1 row)", out.Result)
    Assert.DoesNotContain("foundry>", out.Result)
