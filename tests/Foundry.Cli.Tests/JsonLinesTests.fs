/// `foundry exec DB --jsonl` end to end, in a child process, exactly as the sqllogictest runner drives it.
module Foundry.Cli.Tests.JsonLinesTests

open System
open System.Text.Json
open Xunit
open Foundry.Cli.Tests.Cli

let private request (sql: string) =
    JsonSerializer.Serialize(dict [ "sql", sql ])

/// Writes one line to the child and reads its one response line (waits at most 60 s).
let private exchange (proc: Diagnostics.Process) (line: string) =
    proc.StandardInput.WriteLine line
    proc.StandardInput.Flush()
    let read = proc.StandardOutput.ReadLineAsync()
    if not (read.Wait(TimeSpan.FromSeconds 60.0)) then
        failwithf "no response to %s; stderr: %s" line (proc.StandardError.ReadToEnd())
    match read.Result with
    | null -> failwithf "foundry exited before answering %s; stderr: %s" line (proc.StandardError.ReadToEnd())
    | response -> response

let private finish (proc: Diagnostics.Process) =
    proc.StandardInput.Close()
    Assert.True(proc.WaitForExit 60000, "foundry did not exit at end of input")
    Assert.Equal("", proc.StandardOutput.ReadToEnd())
    Assert.Equal(0, proc.ExitCode)

let private strings (e: JsonElement) =
    [ for x in e.EnumerateArray() -> nonNull (x.GetString()) ]

let private ok (response: string) =
    let doc = JsonDocument.Parse response
    let root = doc.RootElement
    Assert.True(root.GetProperty("ok").GetBoolean(), response)
    root

let private error (response: string) =
    let root = JsonDocument.Parse(response).RootElement
    Assert.False(root.GetProperty("ok").GetBoolean(), response)
    nonNull (root.GetProperty("error").GetString())

let private expectRows (response: string) =
    let root = ok response
    Assert.Equal<string list>([ "a"; "b"; "c" ], strings (root.GetProperty "columns"))
    Assert.Equal<string list>([ "INTEGER"; "TEXT"; "REAL" ], strings (root.GetProperty "types"))
    Assert.False(root.TryGetProperty("affected") |> fst, "a query has no affected count")
    // Raw text: the REAL 3.0 must stay 3.0 (not 3), NULL is null.
    Assert.Contains("\"rows\":[[1,\"one\",3.0],[2,null,2.5]]", response)

[<Fact>]
let ``jsonl answers every request with one line and the data persists`` () =
    use dir = new TempDir()
    let db = dir.File "app.foundry"
    let proc = start [ "exec"; db; "--jsonl" ]
    let send = exchange proc

    let create = ok (send (request "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL)"))
    Assert.Equal(0, create.GetProperty("columns").GetArrayLength())
    Assert.Equal(0, create.GetProperty("rows").GetArrayLength())
    Assert.True(create.TryGetProperty("affected") |> fst)

    let insert = ok (send (request "INSERT INTO t VALUES (1, 'one', 3.0), (2, NULL, 2.5)"))
    Assert.Equal(2L, insert.GetProperty("affected").GetInt64())
    Assert.Equal(0, insert.GetProperty("rows").GetArrayLength())

    expectRows (send (request "SELECT a, b, c FROM t ORDER BY a"))

    let syntax = error (send (request "SELEC 1"))
    Assert.StartsWith("1:1: ", syntax)
    Assert.Contains("SELEC", syntax)

    let unknown = error (send (request "SELECT zz FROM t"))
    Assert.StartsWith("1:8: ", unknown)
    Assert.Contains("zz", unknown)

    Assert.StartsWith("request is not valid JSON", error (send "this is not json"))
    Assert.Contains("\"sql\"", error (send "{\"query\": \"SELECT 1\"}"))

    // Blank lines get no answer: the next line answered is the next request's.
    proc.StandardInput.WriteLine ""
    expectRows (send (request "SELECT a, b, c FROM t ORDER BY a;"))
    finish proc

    let again = start [ "exec"; db; "--jsonl" ]
    expectRows (exchange again (request "SELECT a, b, c FROM t ORDER BY a"))
    finish again
