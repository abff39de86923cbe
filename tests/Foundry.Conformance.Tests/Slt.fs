/// The sqllogictest format as ../shared/conformance/sqllogictest/README.md defines it: the record
/// parser, the rendering of typed values under a column letter, sorting, hashing, and a runner that
/// drives any engine behind the small `IEngine` interface (Foundry in-process, or SQLite as a check
/// on the runner itself).
module Foundry.Conformance.Tests.Slt

open System
open System.Globalization
open System.Numerics
open System.Security.Cryptography
open System.Text
open System.Text.RegularExpressions
open System.Threading

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

type SortMode =
    | NoSort
    | RowSort
    | ValueSort

/// The block after `----`: either the values, one per line, or `<count> values hashing to <md5>`.
type Expected =
    | Values of string list
    | Hash of count: int * md5: string

type Command =
    | Statement of expectOk: bool * sql: string
    | Query of types: string * sort: SortMode * label: string option * sql: string * expected: Expected
    | HashThreshold of int
    | Halt
    /// A record the parser could not understand. It counts as failed (never silently skipped).
    | Malformed of reason: string * text: string

type Condition =
    | SkipIf of engine: string
    | OnlyIf of engine: string

type Record =
    { /// 1-based line of the record's first line (its first condition, if any) in the file.
      Line: int
      Conditions: Condition list
      Command: Command }

/// Statements and queries are the records that are counted (passed, failed or skipped);
/// hash-threshold and halt are control records. Malformed records count, as failures.
let isCounted (r: Record) =
    match r.Command with
    | Statement _
    | Query _
    | Malformed _ -> true
    | HashThreshold _
    | Halt -> false

/// Whether a record's skipif/onlyif lines let it run on `engine`.
let applies (engine: string) (r: Record) =
    r.Conditions
    |> List.forall (function
        | SkipIf e -> e <> engine
        | OnlyIf e -> e = engine)

let private hashLine = Regex(@"^(\d+) values hashing to ([0-9a-f]{32})$", RegexOptions.CultureInvariant)

let private tokens (line: string) =
    line.Split([| ' '; '\t' |], StringSplitOptions.RemoveEmptyEntries)

let private parseBlock (firstLine: int) (lines: string list) : Record =
    let rec conditions acc (ls: string list) =
        match ls with
        | l :: rest ->
            match tokens l with
            | [| "skipif" |]
            | [| "onlyif" |] -> List.rev acc, ls // malformed, reported below
            | t when t.Length >= 2 && t.[0] = "skipif" -> conditions (SkipIf t.[1] :: acc) rest
            | t when t.Length >= 2 && t.[0] = "onlyif" -> conditions (OnlyIf t.[1] :: acc) rest
            | _ -> List.rev acc, ls
        | [] -> List.rev acc, []

    let conds, rest = conditions [] lines
    let text = String.Join("\n", lines)

    let command =
        match rest with
        | [] -> Malformed("conditions without a record", text)
        | head :: body ->
            match tokens head with
            | [| "statement"; "ok" |] -> Statement(true, String.Join("\n", body))
            | [| "statement"; "error" |] -> Statement(false, String.Join("\n", body))
            | [| "halt" |] when body.IsEmpty -> Halt
            | [| "hash-threshold"; n |] when body.IsEmpty ->
                match Int32.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture) with
                | true, v -> HashThreshold v
                | _ -> Malformed("bad hash-threshold", text)
            | t when t.Length >= 2 && t.Length <= 4 && t.[0] = "query" ->
                let types = t.[1]
                let sortMode =
                    if t.Length >= 3 then
                        match t.[2] with
                        | "nosort" -> Some NoSort
                        | "rowsort" -> Some RowSort
                        | "valuesort" -> Some ValueSort
                        | _ -> None
                    else
                        Some NoSort
                let label = if t.Length = 4 then Some t.[3] else None
                let typesOk = types.Length > 0 && types |> Seq.forall (fun c -> c = 'I' || c = 'R' || c = 'T')
                match sortMode with
                | None -> Malformed(sprintf "unknown sort mode '%s'" t.[2], text)
                | Some _ when not typesOk -> Malformed(sprintf "bad type string '%s'" types, text)
                | Some sortMode ->
                    let sqlLines = body |> List.takeWhile (fun l -> l <> "----")
                    let after = body |> List.skipWhile (fun l -> l <> "----")
                    let expected =
                        match after with
                        | [] -> Values []
                        | _ :: values ->
                            match values with
                            | [ single ] when hashLine.IsMatch single ->
                                let m = hashLine.Match single
                                Hash(int m.Groups.[1].Value, m.Groups.[2].Value)
                            | _ -> Values values
                    Query(types, sortMode, label, String.Join("\n", sqlLines), expected)
            | _ -> Malformed(sprintf "unknown record '%s'" head, text)

    { Line = firstLine; Conditions = conds; Command = command }

/// Parses a script. Comment lines (starting with '#') are dropped before records are split, a
/// trailing CR is ignored, and a line of only whitespace separates records.
let parse (script: string) : Record list =
    let lines =
        script.Split('\n')
        |> Array.mapi (fun i l -> i + 1, (if l.EndsWith "\r" then l.Substring(0, l.Length - 1) else l))
        |> Array.filter (fun (_, l) -> not (l.StartsWith "#"))
    let records = ResizeArray<Record>()
    let current = ResizeArray<int * string>()
    let flush () =
        if current.Count > 0 then
            records.Add(parseBlock (fst current.[0]) [ for _, l in current -> l ])
            current.Clear()
    for (n, l) in lines do
        if String.IsNullOrWhiteSpace l then flush () else current.Add((n, l))
    flush ()
    List.ofSeq records

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

let private isSpace (c: char) = c = ' ' || c = '\t' || c = '\n' || c = '\u000B' || c = '\f' || c = '\r'

/// SQLite's sqlite3Atoi64 as sqlite3_column_int64 applies it to text: leading whitespace, an
/// optional sign, then the leading digits; anything else stops it. No digits gives 0; overflow clamps.
let leadingInteger (s: string) : int64 =
    let mutable i = 0
    while i < s.Length && isSpace s.[i] do
        i <- i + 1
    let mutable negative = false
    if i < s.Length && (s.[i] = '+' || s.[i] = '-') then
        negative <- s.[i] = '-'
        i <- i + 1
    let mutable acc = BigInteger.Zero
    while i < s.Length && Char.IsAsciiDigit s.[i] do
        acc <- acc * BigInteger 10 + BigInteger(int s.[i] - int '0')
        i <- i + 1
    let v = if negative then -acc else acc
    if v > BigInteger Int64.MaxValue then Int64.MaxValue
    elif v < BigInteger Int64.MinValue then Int64.MinValue
    else int64 v

let private realPrefix =
    Regex(@"^[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", RegexOptions.CultureInvariant)

/// SQLite's sqlite3AtoF as sqlite3_column_double applies it to text: the longest leading real, else 0.0.
let leadingReal (s: string) : float =
    let m = realPrefix.Match s
    if m.Success then
        Double.Parse(m.Groups.[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture)
    else
        0.0

/// SQLite's doubleToInt64: truncation toward zero, clamped to the int64 range (NaN gives 0).
let truncateReal (d: float) : int64 =
    if Double.IsNaN d then 0L
    elif d <= -9.2233720368547758e18 then Int64.MinValue
    elif d >= 9.2233720368547758e18 then Int64.MaxValue
    else int64 d

/// The decimal digits of |d| rounded to `digits` significant digits, and the decimal exponent of the
/// first digit: |d| ~ 0.d1d2d3... * 10^(exponent+1).
let private significant (digits: int) (d: float) : string * int =
    let s = Math.Abs(d).ToString("E" + string (digits - 1), CultureInfo.InvariantCulture)
    let e = s.IndexOf 'E'
    let mantissa = s.Substring(0, e).Replace(".", "")
    mantissa, Int32.Parse(s.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)

/// `%.3f` as the README fixes it: at most 16 significant digits, then rounded half away from zero
/// to three decimals (-9223372036854775808.0 gives -9223372036854776000.000). Negative zero prints as
/// 0.000, as SQLite's printf does; a negative value that rounds to zero keeps its sign (-0.000).
let formatReal (d: float) : string =
    if Double.IsNaN d then "NaN"
    elif Double.IsPositiveInfinity d then "Inf"
    elif Double.IsNegativeInfinity d then "-Inf"
    elif d = 0.0 then "0.000"
    else
        let digits, exponent = significant 16 d
        let m = BigInteger.Parse(digits, CultureInfo.InvariantCulture) // |d| = m * 10^(exponent-15)
        let shift = exponent - 15 + 3 // thousandths = m * 10^shift
        let thousandths =
            if shift >= 0 then
                m * BigInteger.Pow(BigInteger 10, shift)
            else
                let divisor = BigInteger.Pow(BigInteger 10, -shift)
                let q = BigInteger.Divide(m, divisor)
                let r = m - q * divisor
                if r * BigInteger 2 >= divisor then q + BigInteger.One else q
        let text = thousandths.ToString(CultureInfo.InvariantCulture).PadLeft(4, '0')
        (if d < 0.0 then "-" else "") + text.Substring(0, text.Length - 3) + "." + text.Substring(text.Length - 3)

/// SQLite's real-to-text conversion (`%!.15g`): up to 15 significant digits, trailing zeros dropped,
/// but always a decimal point or an exponent: 3.0, 0.1, 1.0e+20, 1.5e-07.
let formatRealAsText (d: float) : string =
    if Double.IsNaN d then "NaN"
    elif Double.IsPositiveInfinity d then "Inf"
    elif Double.IsNegativeInfinity d then "-Inf"
    elif d = 0.0 then "0.0"
    else
        let digits, exponent = significant 15 d
        let digits = digits.TrimEnd '0'
        let sign = if d < 0.0 then "-" else ""
        if exponent < -4 || exponent >= 15 then
            let frac = if digits.Length > 1 then digits.Substring 1 else "0"
            let e = abs exponent
            let eText = if e < 10 then "0" + string e else string e
            sprintf "%s%c.%se%c%s" sign digits.[0] frac (if exponent < 0 then '-' else '+') eText
        elif exponent >= 0 then
            let intDigits = exponent + 1
            let intPart = if digits.Length >= intDigits then digits.Substring(0, intDigits) else digits.PadRight(intDigits, '0')
            let frac = if digits.Length > intDigits then digits.Substring intDigits else "0"
            sign + intPart + "." + frac
        else
            sign + "0." + String('0', -exponent - 1) + digits

/// Text as the harness prints it: every byte of its UTF-8 form outside 0x20..0x7E becomes '@'; an
/// empty string is "(empty)".
let renderBytes (bytes: byte[]) : string =
    if bytes.Length = 0 then
        "(empty)"
    else
        String(bytes |> Array.map (fun b -> if b >= 0x20uy && b <= 0x7Euy then char b else '@'))

let private asBytes (s: string) = Encoding.UTF8.GetBytes s

/// Renders one value (long, int, double, string, bool, byte[] or null) under its column letter,
/// converting a value that doesn't match its letter the way SQLite's C API does. A BOOLEAN is the
/// integer 1 or 0, as it is in SQLite.
let render (letter: char) (value: obj) : string =
    match value with
    | null -> "NULL"
    | :? DBNull -> "NULL"
    | _ ->
        match letter with
        | 'I' ->
            match value with
            | :? int64 as n -> n.ToString(CultureInfo.InvariantCulture)
            | :? int32 as n -> n.ToString(CultureInfo.InvariantCulture)
            | :? float as d -> (truncateReal d).ToString(CultureInfo.InvariantCulture)
            | :? string as s -> (leadingInteger s).ToString(CultureInfo.InvariantCulture)
            | :? bool as b -> if b then "1" else "0"
            | :? (byte[]) as b -> (leadingInteger (Encoding.UTF8.GetString b)).ToString(CultureInfo.InvariantCulture)
            | v -> failwithf "cannot render a %s" (v.GetType().Name)
        | 'R' ->
            match value with
            | :? float as d -> formatReal d
            | :? int64 as n -> formatReal (float n)
            | :? int32 as n -> formatReal (float n)
            | :? string as s -> formatReal (leadingReal s)
            | :? bool as b -> if b then "1.000" else "0.000"
            | :? (byte[]) as b -> formatReal (leadingReal (Encoding.UTF8.GetString b))
            | v -> failwithf "cannot render a %s" (v.GetType().Name)
        | 'T' ->
            match value with
            | :? string as s -> renderBytes (asBytes s)
            | :? int64 as n -> n.ToString(CultureInfo.InvariantCulture)
            | :? int32 as n -> n.ToString(CultureInfo.InvariantCulture)
            | :? float as d -> formatRealAsText d
            | :? bool as b -> if b then "1" else "0"
            | :? (byte[]) as b -> renderBytes b
            | v -> failwithf "cannot render a %s" (v.GetType().Name)
        | c -> failwithf "unknown column letter '%c'" c

// ---------------------------------------------------------------------------------------------
// Sorting and hashing
// ---------------------------------------------------------------------------------------------

/// Bytewise comparison of rendered values (they are ASCII after rendering, so ordinal = bytewise).
let compareBytewise (a: string) (b: string) = String.CompareOrdinal(a, b)

let private compareRows (a: string[]) (b: string[]) =
    let mutable i = 0
    let mutable c = 0
    while c = 0 && i < a.Length do
        c <- compareBytewise a.[i] b.[i]
        i <- i + 1
    c

/// Applies the sort mode to the rendered values of a result with `columns` columns.
let sortValues (mode: SortMode) (columns: int) (values: string list) : string list =
    match mode with
    | NoSort -> values
    | ValueSort -> values |> List.sortWith compareBytewise
    | RowSort ->
        values
        |> List.chunkBySize (max 1 columns)
        |> List.map Array.ofList
        |> List.sortWith compareRows
        |> List.collect List.ofArray

/// md5 over the values, each followed by "\n", as lowercase hex.
let md5Of (values: string seq) : string =
    let sb = StringBuilder()
    for v in values do
        sb.Append(v).Append('\n') |> ignore
    Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(sb.ToString())))

let expectedHash (e: Expected) =
    match e with
    | Hash(_, h) -> h
    | Values vs -> md5Of vs

// ---------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------

type Outcome =
    /// A result set: the column count and the rows, values boxed (null for NULL).
    | Rows of columns: int * rows: obj[] list
    /// A statement that returns no rows.
    | Done
    /// A user error the engine reported the proper way (for Foundry: a FoundryException).
    | SqlError of message: string

/// One connection to a fresh, empty database. Any exception other than a reported `SqlError` is an
/// engine crash: the runner fails the record with it and carries on.
type IEngine =
    inherit IDisposable
    abstract Execute: sql: string -> Outcome

/// Removes a trailing ';' (and whitespace around it) and splits the rest on ';' outside quotes, so a
/// statement record may hold several commands.
let splitCommands (sql: string) : string list =
    let parts = ResizeArray<string>()
    let sb = StringBuilder()
    let mutable quote = '\000'
    for c in sql do
        if quote <> '\000' then
            sb.Append c |> ignore
            if c = quote then quote <- '\000'
        elif c = '\'' || c = '"' || c = '`' then
            quote <- c
            sb.Append c |> ignore
        elif c = ';' then
            parts.Add(sb.ToString())
            sb.Clear() |> ignore
        else
            sb.Append c |> ignore
    parts.Add(sb.ToString())
    parts |> Seq.map (fun p -> p.Trim()) |> Seq.filter (fun p -> p <> "") |> List.ofSeq

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

type Status =
    | Passed
    | Failed of reason: string
    | Skipped

type RecordResult =
    { Record: Record
      Status: Status
      /// What the record expected and what the engine gave, rendered for a failure report.
      Expected: string
      Actual: string }

type FileResult =
    { File: string
      Passed: int
      Failed: int
      Skipped: int
      Results: RecordResult list
      Elapsed: TimeSpan
      /// Set when a record ran past the time limit: it and every later record are counted failed.
      TimedOut: bool }

    member r.Applicable = r.Passed + r.Failed
    member r.Rate = if r.Applicable = 0 then 1.0 else float r.Passed / float r.Applicable
    member r.Failures = r.Results |> List.filter (fun x -> match x.Status with Failed _ -> true | _ -> false)

let private showValues (values: string list) =
    let n = List.length values
    let shown = values |> List.truncate 24 |> String.concat " | "
    if n > 24 then sprintf "%s | ... (%d values)" shown n else shown

let private describeExpected (e: Expected) =
    match e with
    | Hash(n, h) -> sprintf "%d values hashing to %s" n h
    | Values [] -> "(no rows)"
    | Values vs -> showValues vs

/// Mutable state of one file's run: the hash threshold and the label hashes.
type FileState(engineName: string) =
    member val HashThreshold = 0 with get, set
    member val Labels = Collections.Generic.Dictionary<string, string * int>() // label -> (hash, line)
    member _.EngineName = engineName

let private crash (e: exn) =
    sprintf "unexpected exception %s: %s" (e.GetType().FullName) (e.Message.Split('\n').[0])

/// Runs one counted record (statement, query or malformed) that applies; never throws.
let runRecord (engine: IEngine) (state: FileState) (record: Record) : RecordResult =
    let result status expected actual =
        { Record = record; Status = status; Expected = expected; Actual = actual }
    match record.Command with
    | Malformed(reason, _) -> result (Failed("malformed record: " + reason)) "" ""
    | HashThreshold _
    | Halt -> result Skipped "" ""
    | Statement(expectOk, sql) ->
        let expectText = if expectOk then "ok" else "error"
        let outcome =
            try
                let rec go commands =
                    match commands with
                    | [] -> Ok()
                    | c :: rest ->
                        match engine.Execute c with
                        | SqlError m -> Error m
                        | Rows _
                        | Done -> go rest
                go (splitCommands sql) |> Choice1Of2
            with e -> Choice2Of2 e
        match outcome, expectOk with
        | Choice1Of2(Ok()), true -> result Passed expectText "ok"
        | Choice1Of2(Error _), false -> result Passed expectText "error"
        | Choice1Of2(Ok()), false -> result (Failed "statement succeeded but an error was expected") expectText "ok"
        | Choice1Of2(Error m), true -> result (Failed("error: " + m)) expectText ("error: " + m)
        | Choice2Of2 e, _ -> result (Failed(crash e)) expectText (crash e)
    | Query(types, sort, label, sql, expected) ->
        // The label's hash is fixed by the first record (that runs) carrying it: its expected result.
        let labelHash =
            match label with
            | None -> None
            | Some l ->
                match state.Labels.TryGetValue l with
                | true, (h, line) -> Some(l, h, line)
                | _ ->
                    let h = expectedHash expected
                    state.Labels.[l] <- (h, record.Line)
                    Some(l, h, record.Line)
        let expectText = describeExpected expected
        let sql = match splitCommands sql with [ one ] -> one | _ -> sql
        try
            match engine.Execute sql with
            | SqlError m -> result (Failed("error: " + m)) expectText ("error: " + m)
            | Done -> result (Failed "the query returned no result set") expectText "no result set"
            | Rows(columns, _) when columns <> types.Length ->
                result
                    (Failed(sprintf "%d columns returned, %d expected (%s)" columns types.Length types))
                    expectText
                    (sprintf "%d columns" columns)
            | Rows(_, rows) ->
                let rendered =
                    [ for row in rows do
                          for i in 0 .. types.Length - 1 -> render types.[i] row.[i] ]
                let values = sortValues sort types.Length rendered
                let hash = md5Of values
                let count = List.length values
                let actualText =
                    if state.HashThreshold > 0 && count > state.HashThreshold then
                        sprintf "%d values hashing to %s: %s" count hash (showValues values)
                    elif count = 0 then "(no rows)"
                    else showValues values
                let matches =
                    match expected with
                    | Hash(n, h) -> n = count && h = hash
                    | Values vs -> vs = values
                match matches, labelHash with
                | false, _ -> result (Failed "wrong result") expectText actualText
                | true, Some(l, h, line) when h <> hash ->
                    result
                        (Failed(sprintf "%s: hash %s differs from %s, set by line %d" l hash h line))
                        expectText
                        actualText
                | true, _ -> result Passed expectText actualText
        with e -> result (Failed(crash e)) expectText (crash e)

/// Runs a parsed file against a fresh engine on a dedicated thread with a large stack (deep
/// expressions must not overflow the test host). A record that runs longer than `recordTimeout`
/// is abandoned with the rest of the file: they all count as failed. Never throws for engine faults.
let runFile (engineName: string) (openEngine: unit -> IEngine) (recordTimeout: TimeSpan) (file: string) (records: Record list) : FileResult =
    let sw = Diagnostics.Stopwatch.StartNew()
    let gate = obj ()
    let results = ResizeArray<RecordResult>()
    let abandoned = ref false
    let current: Record option ref = ref None
    let currentStarted = ref 0L
    let halted = ref false
    let state = FileState(engineName)
    let add (r: RecordResult) =
        lock gate (fun () -> if not abandoned.Value then results.Add r)
    let work () =
        let engine =
            try
                Ok(openEngine ())
            with e -> Error e
        match engine with
        | Error e ->
            for r in records |> List.filter isCounted do
                if applies engineName r then
                    add { Record = r; Status = Failed("could not open the database: " + crash e); Expected = ""; Actual = "" }
                else
                    add { Record = r; Status = Skipped; Expected = ""; Actual = "" }
        | Ok engine ->
            try
                for r in records do
                    if halted.Value || not (applies engineName r) then
                        if isCounted r then add { Record = r; Status = Skipped; Expected = ""; Actual = "" }
                    else
                        match r.Command with
                        | HashThreshold n -> state.HashThreshold <- n
                        | Halt -> halted.Value <- true
                        | _ ->
                            lock gate (fun () ->
                                current.Value <- Some r
                                currentStarted.Value <- Diagnostics.Stopwatch.GetTimestamp())
                            add (runRecord engine state r)
                            lock gate (fun () -> current.Value <- None)
            finally
                try
                    engine.Dispose()
                with _ -> ()
    let thread = Thread(work, 256 * 1024 * 1024)
    thread.IsBackground <- true
    thread.Name <- "slt " + file
    thread.Start()
    let mutable hung: Record option = None
    while hung.IsNone && not (thread.Join 100) do
        lock gate (fun () ->
            match current.Value with
            | Some r when Diagnostics.Stopwatch.GetElapsedTime currentStarted.Value > recordTimeout ->
                abandoned.Value <- true
                hung <- Some r
            | _ -> ())
    let final =
        lock gate (fun () ->
            abandoned.Value <- true
            match hung with
            | None -> ()
            | Some h ->
                let doneLines = results |> Seq.map (fun r -> r.Record.Line) |> Set.ofSeq
                for r in records |> List.filter isCounted do
                    if not (doneLines.Contains r.Line) then
                        let status =
                            if halted.Value || not (applies engineName r) then Skipped
                            elif r.Line = h.Line then Failed(sprintf "ran past the %.0f s time limit; the rest of the file is not run" recordTimeout.TotalSeconds)
                            else Failed(sprintf "not run: the record at line %d ran past the time limit" h.Line)
                        results.Add { Record = r; Status = status; Expected = ""; Actual = "" }
            List.ofSeq results |> List.sortBy (fun r -> r.Record.Line))
    let count f = final |> List.filter (fun r -> f r.Status) |> List.length
    { File = file
      Passed = count (fun s -> s = Passed)
      Failed = count (function Failed _ -> true | _ -> false)
      Skipped = count (fun s -> s = Skipped)
      Results = final
      Elapsed = sw.Elapsed
      TimedOut = hung.IsSome }

/// Parses and runs a script held in memory (used by the runner's own tests).
let runScript (engineName: string) (openEngine: unit -> IEngine) (script: string) : FileResult =
    runFile engineName openEngine (TimeSpan.FromSeconds 60.0) "(inline)" (parse script)
