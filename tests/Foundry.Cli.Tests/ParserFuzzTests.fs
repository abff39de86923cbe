/// The parser fuzz: mutated valid statements (from the golden files, the sqllogictest corpus beside
/// the repository and a few seeds of our own) fed to `foundry exec DB --jsonl` in a child process, so
/// that a crash is a process death, not a test-host crash. Mutations delete, duplicate, swap and insert
/// tokens and characters, nest parts deeply, prefix long runs of NOT and signs, and grow long chains
/// and IN lists. Asserted for every input: the process stays alive and answers within a timeout with
/// exactly one JSON line, and every error is one of Foundry's, with its FND code (an "internal error"
/// counts as a failure). A failure prints the seed (FOUNDRY_FUZZ_SEED replays it) and the input.
module Foundry.Cli.Tests.ParserFuzzTests

open System
open System.IO
open System.Text
open System.Text.Json
open System.Text.RegularExpressions
open Xunit
open Foundry.Cli.Tests.Cli

let private inputsPerRun = 20_000
let private inputsPerProcess = 5_000
let private answerTimeout = TimeSpan.FromSeconds 30.0

/// The repository root: the first folder above the test binary that holds FoundryCompiler.sln.
let private repositoryRoot () =
    let rec up (dir: DirectoryInfo | null) =
        match dir with
        | null -> failwith "FoundryCompiler.sln not found above the test binary"
        | d when File.Exists(Path.Combine(d.FullName, "FoundryCompiler.sln")) -> d.FullName
        | d -> up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// Tables every batch starts with, so that mutated statements reach binding, planning and execution.
let private setup =
    [ "CREATE TABLE t1 (a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)"
      "INSERT INTO t1 VALUES (104, 100, 102, 101, 103), (107, 105, 106, 108, 109), (NULL, 112, 113, 114, 110)"
      "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER)"
      "INSERT INTO items VALUES (1, 'bolt', 0.5, 10), (2, 'nut', NULL, 3), (3, 'gear', 12.0, NULL)"
      "CREATE INDEX items_qty ON items (qty)"
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER, total REAL)"
      "INSERT INTO orders VALUES (1, 1, 5.0), (2, 3, 24.0)" ]

let private ownSeeds =
    [ "SELECT a + b * 2 - c / 3 % 4 FROM t1 WHERE a IN (104, 107, NULL) OR b BETWEEN 100 AND 110"
      "SELECT name || '-' || CAST(qty AS TEXT) FROM items WHERE NOT (price > 1.0 AND qty IS NOT NULL)"
      "SELECT CASE WHEN a > 105 THEN 'big' WHEN a IS NULL THEN 'none' ELSE 'small' END FROM t1 ORDER BY 1"
      "SELECT i.name, (SELECT max(total) FROM orders o WHERE o.item_id = i.id) FROM items i WHERE EXISTS (SELECT 1 FROM orders)"
      "SELECT count(*), sum(qty), coalesce(min(price), -1.5) FROM items GROUP BY qty > 5 HAVING count(*) >= 1"
      "SELECT id FROM items WHERE name LIKE 'b%' UNION SELECT item_id FROM orders EXCEPT SELECT 3 LIMIT 5 OFFSET 0"
      "UPDATE items SET qty = qty + 1 WHERE id = ? RETURNING id, qty"
      "INSERT INTO orders (id, item_id, total) VALUES (10, 2, 1.25)"
      "DELETE FROM orders WHERE total < 0 OR item_id NOT IN (SELECT id FROM items)"
      "SELECT -a, +b, - - c, NOT (a = b), a IS DISTINCT FROM NULL, nullif(a, 104), abs(-3), length('héllo') FROM t1" ]

/// Statements of a golden file: the text between a directive line and its `----`.
let private goldenStatements (path: string) =
    let lines = File.ReadAllLines path
    [ for i in 1 .. lines.Length - 1 do
          if lines[i] <> "" && lines[i] <> "----" && lines[i - 1] <> "" && not (lines[i - 1].StartsWith "--") && i + 1 < lines.Length && lines[i + 1] = "----" then
              yield lines[i] ]

/// Statements of a sqllogictest file: the lines after `statement` and `query` records, up to a blank line or `----`.
let private sltStatements (path: string) =
    let lines = File.ReadAllLines path
    let out = ResizeArray<string>()
    let mutable i = 0
    while i < lines.Length do
        if lines[i].StartsWith "statement " || lines[i].StartsWith "query " then
            let sql = StringBuilder()
            i <- i + 1
            while i < lines.Length && lines[i] <> "" && lines[i] <> "----" do
                sql.Append(lines[i]).Append(' ') |> ignore
                i <- i + 1
            out.Add(sql.ToString().Trim())
        i <- i + 1
    List.ofSeq out

/// Every seed statement; RECURSIVE ones are left out (a mutation can make their recursion endless,
/// which is a resource question, not a parser one).
let private corpus () =
    let root = repositoryRoot ()
    let golden = Directory.GetFiles(Path.Combine(root, "tests", "golden"), "*.test", SearchOption.AllDirectories) |> Seq.collect goldenStatements
    let conformance = Path.Combine(root, "..", "shared", "conformance", "sqllogictest")
    let slt =
        if Directory.Exists conformance then
            Directory.GetFiles(conformance, "*.test", SearchOption.AllDirectories) |> Seq.sort |> Seq.collect sltStatements |> Seq.truncate 3000
        else Seq.empty
    Seq.concat [ Seq.ofList ownSeeds; golden; slt ]
    |> Seq.filter (fun s -> s <> "" && not (s.ToUpperInvariant().Contains "RECURSIVE"))
    |> Seq.distinct
    |> Array.ofSeq

let private tokenPattern =
    Regex(@"'(?:[^']|'')*'|""(?:[^""]|"""")*""|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\w+|<=|>=|<>|!=|\|\||==|\S", RegexOptions.Compiled)

let private vocabulary =
    [| "SELECT"; "FROM"; "WHERE"; "("; ")"; ","; "AND"; "OR"; "NOT"; "NULL"; "CASE"; "WHEN"; "THEN"; "ELSE"; "END"; "IN"
       "BETWEEN"; "LIKE"; "IS"; "+"; "-"; "*"; "/"; "%"; "||"; "="; "<"; ">="; "'x'"; "''"; "1"; "0"; "2.5"; "1e999"; "?"; "$1"
       "$99999999999"; "EXISTS"; "UNION"; "ALL"; "JOIN"; "ON"; "USING"; "GROUP"; "BY"; "ORDER"; "LIMIT"; "OFFSET"; "CAST"; "AS"
       "INTEGER"; "TEXT"; "DISTINCT"; "count"; "sum"; "t1"; "items"; "a"; "b"; "id"; ";"; "--"; "/*"; "*/"; "'"; "\""; "."
       "9223372036854775808"; "VALUES"; "INSERT"; "INTO"; "DELETE"; "UPDATE"; "SET"; "CREATE"; "TABLE"; "DROP"; "WITH"
       "RETURNING"; "EXPLAIN"; "ANALYZE"; "BEGIN"; "COMMIT"; "ROLLBACK"; "é"; "中"; "😀" |]

/// Characters a character-level mutation inserts: printable ASCII and a few others, never a lone surrogate.
let private characters = " ()'\",;.*+-/%|=<>!?$:@#[]{}\\\t\nabcxyz0129_éß中" |> Seq.map string |> Array.ofSeq

type private Mutator(random: Random) =
    let pick (xs: 'a[]) = xs[random.Next xs.Length]

    /// A long run: n copies of `item` joined by `separator`, n mostly small, sometimes thousands.
    member _.Count() =
        match random.Next 1000 with
        | r when r < 960 -> random.Next(2, 40)
        | r when r < 995 -> random.Next(40, 1_200)
        | _ -> random.Next(1_200, 4_000)

    member this.Apply(sql: string) : string =
        let tokens = ResizeArray(tokenPattern.Matches(sql) |> Seq.map (fun m -> m.Value))
        if tokens.Count = 0 then tokens.Add "SELECT"
        let at () = random.Next tokens.Count
        match random.Next 13 with
        | 0 -> tokens.RemoveAt(at ())
        | 1 ->
            let i = at ()
            tokens.Insert(i, tokens[i])
        | 2 ->
            let i, j = at (), at ()
            let t = tokens[i]
            tokens[i] <- tokens[j]
            tokens[j] <- t
        | 3 -> tokens.Insert(random.Next(tokens.Count + 1), pick vocabulary)
        | 4 ->
            // Nest a range of tokens in parentheses, sometimes around the depth limit.
            let i = at ()
            let j = random.Next(i, tokens.Count) + 1
            let depth = if random.Next 40 = 0 then pick [| 999; 1000; 1001; 1500 |] else random.Next(1, 30)
            tokens.Insert(j, String.replicate depth ")")
            tokens.Insert(i, String.replicate depth "(")
        | 5 -> tokens.Insert(at (), String.replicate (this.Count()) (pick [| "NOT "; "- "; "+ "; "NOT - " |]))
        | 6 ->
            let i = at ()
            let operator = pick [| " OR "; " AND "; " + "; " * "; " || "; " - "; " = " |]
            tokens[i] <- "(" + String.Join(operator, Array.create (this.Count()) tokens[i]) + ")"
        | 7 ->
            let items = Array.init (this.Count()) (fun k -> pick [| string k; "NULL"; "'v'"; "2.5"; "a"; "?" |])
            tokens.Insert(random.Next(tokens.Count + 1), "IN (" + String.Join(", ", items) + ")")
        | 8 ->
            let i = at ()
            let depth = if random.Next 40 = 0 then pick [| 500; 1001 |] else random.Next(1, 20)
            tokens[i] <- String.replicate depth "CASE WHEN TRUE THEN " + tokens[i] + String.replicate depth " END"
        | 9 ->
            let i = at ()
            let depth = if random.Next 40 = 0 then random.Next(20, 200) else random.Next(1, 20)
            tokens[i] <- String.replicate depth "(SELECT " + tokens[i] + String.replicate depth ")"
        | _ ->
            // Character level: delete, insert or duplicate one character.
            let text = StringBuilder(String.Join(" ", tokens))
            let i = random.Next(text.Length + 1)
            match random.Next 3 with
            | 0 when i < text.Length -> text.Remove(i, 1) |> ignore
            | 1 when i < text.Length -> text.Insert(i, text[i]) |> ignore
            | _ -> text.Insert(i, pick characters) |> ignore
            tokens.Clear()
            tokens.Add(text.ToString())
        String.Join(" ", tokens)

/// Why a response line is not acceptable, or None.
let private problem (response: string | null) =
    match response with
    | null -> Some "the process ended (no response line)"
    | line ->
        try
            use doc = JsonDocument.Parse line
            let root = doc.RootElement
            match root.TryGetProperty "ok" with
            | true, ok when ok.ValueKind = JsonValueKind.True -> None
            | true, ok when ok.ValueKind = JsonValueKind.False ->
                let message = root.GetProperty("error").GetString()
                match root.TryGetProperty "code" with
                | true, code when Regex.IsMatch(nonNull (code.GetString()), "^FND[0-8][0-9]{3}$") -> None
                | _ -> Some(sprintf "an error without a Foundry code: %s" message)
            | _ -> Some "no \"ok\" field"
        with :? JsonException as e -> Some("not one JSON line: " + e.Message)

[<Fact>]
let ``20,000 mutated statements never kill foundry exec --jsonl and every error has a code`` () =
    let seed =
        match Environment.GetEnvironmentVariable "FOUNDRY_FUZZ_SEED" with
        | null | "" -> Random.Shared.Next()
        | s -> int s
    let random = Random seed
    let mutator = Mutator random
    let seeds = corpus ()
    Assert.True(seeds.Length >= 100, sprintf "only %d seed statements" seeds.Length)
    let mutable sent = 0
    let mutable errors = 0
    while sent < inputsPerRun do
        use dir = new TempDir()
        let proc = start [ "exec"; dir.File "fuzz.foundry"; "--jsonl" ]
        let exchange (sql: string) =
            proc.StandardInput.WriteLine(JsonSerializer.Serialize(dict [ "sql", sql ]))
            proc.StandardInput.Flush()
            let read = proc.StandardOutput.ReadLineAsync()
            if read.Wait answerTimeout then read.Result else "no response within the timeout"
        let fail (input: string) (why: string) =
            let shown = if input.Length > 2000 then input.Substring(0, 2000) + sprintf "... (%d characters)" input.Length else input
            let stderr = if proc.HasExited then proc.StandardError.ReadToEnd() else ""
            if not proc.HasExited then proc.Kill()
            failwithf "fuzz seed %d (set FOUNDRY_FUZZ_SEED=%d to replay), input %d: %s\ninput: %s\nstderr: %s" seed seed sent why shown stderr
        for statement in setup do
            match problem (exchange statement) with
            | Some why -> fail statement why
            | None -> ()
        let mutable batch = 0
        while batch < inputsPerProcess && sent < inputsPerRun do
            let mutable input = seeds[random.Next seeds.Length]
            for _ in 1 .. random.Next(1, 4) do
                input <- mutator.Apply input
            let response = exchange input
            match problem response with
            | Some why -> fail input why
            | None -> if response.Contains "\"ok\":false" then errors <- errors + 1
            sent <- sent + 1
            batch <- batch + 1
        proc.StandardInput.Close()
        Assert.True(proc.WaitForExit 60000, "foundry did not exit at end of input")
        Assert.Equal(0, proc.ExitCode)
    // Most mutations are errors, but not all: the fuzz must reach binding and execution too.
    Assert.InRange(errors, inputsPerRun / 4, inputsPerRun - inputsPerRun / 50)
