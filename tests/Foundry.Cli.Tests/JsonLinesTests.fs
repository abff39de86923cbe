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

    // A blank line is answered too (an error), so a client never loses step with the responses.
    Assert.StartsWith("empty request line", error (send ""))
    expectRows (send (request "SELECT a, b, c FROM t ORDER BY a;"))
    finish proc

    let again = start [ "exec"; db; "--jsonl" ]
    expectRows (exchange again (request "SELECT a, b, c FROM t ORDER BY a"))
    finish again

/// Writes raw bytes (one or more lines) to the child's standard input.
let private sendBytes (proc: Diagnostics.Process) (bytes: byte[]) =
    proc.StandardInput.BaseStream.Write(bytes, 0, bytes.Length)
    proc.StandardInput.BaseStream.Flush()

/// Reads one response line (waits at most 60 s).
let private response (proc: Diagnostics.Process) (what: string) =
    let read = proc.StandardOutput.ReadLineAsync()
    if not (read.Wait(TimeSpan.FromSeconds 60.0)) then failwithf "no response to %s" what
    match read.Result with
    | null -> failwithf "foundry exited before answering %s; stderr: %s" what (proc.StandardError.ReadToEnd())
    | r -> r

[<Fact>]
let ``jsonl answers every line whatever its bytes and goes on`` () =
    use dir = new TempDir()
    let proc = start [ "exec"; dir.File "bytes.foundry"; "--jsonl" ]
    let utf8 (s: string) = Text.Encoding.UTF8.GetBytes s
    let big = request ("SELECT '" + String('x', 10_000_000) + "' = ''")
    let lines: (string * byte[] * (string -> unit)) list =
        [ "a lone high surrogate escape", utf8 "{\"sql\": \"SELECT '\\ud800'\"}", (fun r -> Assert.Contains("lone surrogate", error r))
          "a lone low surrogate escape", utf8 "{\"sql\": \"SELECT 1 -- \\udc00\"}", (fun r -> Assert.Contains("lone surrogate", error r))
          "invalid UTF-8 inside a string", Array.concat [ utf8 "{\"sql\": \"SELECT '"; [| 0xFFuy; 0xC3uy |]; utf8 "'\"}" ],
          (fun r -> Assert.Contains("not valid UTF-8: byte 0xFF at offset 17", error r))
          "an overlong encoding", Array.concat [ utf8 "{\"sql\": \""; [| 0xC0uy; 0xAFuy |]; utf8 "\"}" ], (fun r -> Assert.Contains("UTF-8", error r))
          "a raw NUL byte", utf8 "{\"sql\": \"SELECT 1\u0000\"}", (fun r -> Assert.StartsWith("request is not valid JSON", error r))
          "an escaped NUL", utf8 "{\"sql\": \"SELECT 'a\\u0000b' = 'a'\"}", (fun r -> ok r |> ignore)
          "an empty line", [||], (fun r -> Assert.StartsWith("empty request line", error r))
          "a line of blanks and CR", utf8 "  \t\r", (fun r -> Assert.StartsWith("empty request line", error r))
          "not an object", utf8 "[\"SELECT 1\"]", (fun r -> Assert.Contains("JSON object", error r))
          "a string, not an object", utf8 "\"SELECT 1\"", (fun r -> Assert.Contains("JSON object", error r))
          "no sql key", utf8 "{\"query\": \"SELECT 1\"}", (fun r -> Assert.Contains("\"sql\"", error r))
          "sql not a string", utf8 "{\"sql\": 1}", (fun r -> Assert.Contains("\"sql\"", error r))
          "a 10 MB line", utf8 big, (fun r -> Assert.Contains("\"rows\":[[false]]", (ok r |> ignore; r)))
          "a valid pair still works", utf8 "{\"sql\": \"SELECT '\\ud83d\\ude00'\"}", (fun r -> Assert.Equal("\U0001F600", (ok r).GetProperty("rows").[0].[0].GetString())) ]
    for (what, bytes, check) in lines do
        sendBytes proc (Array.append bytes [| byte '\n' |])
        check (response proc what)
    // All at once in one write, the last line without its newline: still one response each, in order.
    let batch = Array.concat [ utf8 "{\"sql\": \"SELECT '\\ud800'\"}\n\n"; [| 0xFFuy; byte '\n' |]; utf8 (request "SELECT 7") ]
    sendBytes proc batch
    proc.StandardInput.Close()
    Assert.Contains("lone surrogate", error (response proc "batch 1"))
    Assert.StartsWith("empty request line", error (response proc "batch 2"))
    Assert.Contains("UTF-8", error (response proc "batch 3"))
    Assert.Contains("\"rows\":[[7]]", response proc "batch 4")
    Assert.True(proc.WaitForExit 60000, "foundry did not exit at end of input")
    Assert.Equal("", proc.StandardOutput.ReadToEnd())
    Assert.Equal(0, proc.ExitCode)
