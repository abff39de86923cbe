/// Results are written as they are read (docs/codegen.md, "Results stream to the client"): `exec --jsonl`,
/// `--format json|csv|table` keep the managed heap bounded while writing results far larger than the bound.
module Foundry.Cli.Tests.StreamingOutputTests

open System
open System.IO
open System.Text
open Xunit
open Foundry.Cli
open Foundry.Cli.Tests.Cli

/// Counts what is written and samples the live managed heap (after a full collection, so garbage not yet
/// collected does not count) every 1 M characters, keeping nothing.
type private CountingWriter() =
    inherit TextWriter()
    let mutable chars = 0L
    let mutable lines = 0L
    let mutable sinceSample = 0
    member val Peak = 0L with get, set
    member _.Chars = chars
    member _.Lines = lines
    override _.Encoding = Encoding.UTF8
    override this.Write(c: char) =
        chars <- chars + 1L
        if c = '\n' then lines <- lines + 1L
        sinceSample <- sinceSample + 1
        if sinceSample >= (1 <<< 20) then
            sinceSample <- 0
            this.Peak <- max this.Peak (GC.GetTotalMemory true)
    override this.Write(s: string) =
        if not (isNull s) then
            for c in s do
                this.Write c

/// A database with tables a (1,000 rows) and b (10,000 rows): `FROM a, b` has 10,000,000 rows.
let private bigCrossJoin (dir: TempDir) =
    let db = dir.File "big.foundry"
    let series n = sprintf "(WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %d) SELECT x FROM n) g" n
    let setup =
        sprintf "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO a SELECT x FROM %s; INSERT INTO b SELECT x FROM %s"
            (series 1000) (series 10000)
    let r = run "" [ "exec"; db; "-c"; setup ]
    Assert.Equal(0, r.ExitCode)
    db

/// Runs `foundry args` in-process into a CountingWriter; returns it and how much the heap grew at its peak.
let private runCounting (stdin: string) (args: string list) =
    let out = new CountingWriter()
    let console = CliConsole(new StringReader(stdin), out, new StringWriter(), false, false)
    GC.Collect()
    let before = GC.GetTotalMemory true
    let code = FoundryCli.Run(List.toArray args, console)
    Assert.Equal(0, code)
    out, out.Peak - before

let private bound = 64L * 1024L * 1024L

[<Fact>]
let ``a long jsonl response moves ok to the end and a short one keeps the documented form`` () =
    use dir = new TempDir()
    let db = bigCrossJoin dir
    let request = "{\"sql\": \"SELECT a.id FROM a, b LIMIT 20000\"}\n{\"sql\": \"SELECT count(*) FROM a\"}\n"
    let r = run request [ "exec"; db; "--jsonl" ]
    let responses = lines r.Out
    Assert.Equal(2, responses.Length)
    Assert.StartsWith("{\"columns\":[\"id\"],\"types\":[\"INTEGER\"],\"rows\":[[1],[1],", responses[0])
    Assert.EndsWith("]],\"ok\":true}", responses[0])
    use parsed = Json.JsonDocument.Parse(responses[0])
    Assert.Equal(20000, parsed.RootElement.GetProperty("rows").GetArrayLength())
    Assert.Equal("{\"ok\":true,\"columns\":[\"count(*)\"],\"types\":[\"INTEGER\"],\"rows\":[[1000]]}", responses[1])

[<Fact>]
let ``a long jsonl response that fails midway ends its one line as an error`` () =
    use dir = new TempDir()
    let db = bigCrossJoin dir
    // 1 / (b.id - 9000) divides by zero at the 9,000th row, after more than 64 KiB of rows.
    let request = "{\"sql\": \"SELECT 1 / (b.id - 9000), b.id FROM a, b\"}\n{\"sql\": \"SELECT count(*) FROM a\"}\n"
    let r = run request [ "exec"; db; "--jsonl" ]
    let responses = lines r.Out
    Assert.Equal(2, responses.Length)
    use parsed = Json.JsonDocument.Parse(responses[0])
    Assert.False(parsed.RootElement.GetProperty("ok").GetBoolean())
    Assert.Contains("division by zero", parsed.RootElement.GetProperty("error").GetString())
    Assert.Equal(8999, parsed.RootElement.GetProperty("rows").GetArrayLength())
    Assert.Equal("{\"ok\":true,\"columns\":[\"count(*)\"],\"types\":[\"INTEGER\"],\"rows\":[[1000]]}", responses[1])

/// The heap is sampled in-process, so these run alone: other tests' allocations in the same test host
/// would count against the bound.
[<CollectionDefinition("managed heap bound", DisableParallelization = true)>]
type HeapBoundCollection() = class end

[<Collection("managed heap bound")>]
type HeapBoundTests() =

    [<Fact>]
    member _.``exec --jsonl writes a 10,000,000-row response as one line in bounded memory``() =
        use dir = new TempDir()
        let db = bigCrossJoin dir
        let request = "{\"sql\": \"SELECT a.id, b.id FROM a, b\"}\n{\"sql\": \"SELECT count(*) FROM a\"}\n"
        let out, growth = runCounting request [ "exec"; db; "--jsonl" ]
        // Two responses, two lines; the first holds 10,000,000 rows of at least "[1,1]," each.
        Assert.Equal(2L, out.Lines)
        Assert.True(out.Chars > 60_000_000L, sprintf "only %d characters written" out.Chars)
        Assert.True(growth < bound, sprintf "the managed heap grew by %d bytes" growth)

    /// Tables are drawn by Spectre at some microseconds a row, so that case reads fewer rows.
    [<Theory>]
    [<InlineData("json", 200)>]
    [<InlineData("csv", 200)>]
    [<InlineData("table", 20)>]
    member _.``exec --format writes a result of millions of rows in bounded memory``(format: string, ids: int) =
        use dir = new TempDir()
        let db = bigCrossJoin dir
        let sql = sprintf "SELECT a.id, b.id FROM a, b WHERE a.id <= %d" ids
        let out, growth = runCounting "" [ "exec"; db; "-c"; sql; "--format"; format ]
        Assert.True(out.Chars > int64 ids * 50_000L, sprintf "only %d characters written" out.Chars)
        Assert.True(growth < bound, sprintf "the managed heap grew by %d bytes" growth)
