/// Running one SQL text on SQLite (in process, Microsoft.Data.Sqlite) and on Foundry, and comparing
/// the answers: column count, then rows as sequences (when the ORDER BY fixes the order) or as
/// multisets, values compared after normalisation (INTEGER and REAL are both numbers; a REAL is
/// equal within a relative 1e-9; a BOOLEAN, which SQLite spells 0/1, is the number 0 or 1).
module Foundry.Differential.Tests.Engines

open System
open Foundry.Engine
open Microsoft.Data.Sqlite

/// A value as the comparison sees it.
type NValue =
    | NNull
    | NNum of float
    | NText of string

let normalise (o: obj) : NValue =
    match o with
    | null -> NNull
    | :? DBNull -> NNull
    | :? int64 as i -> NNum(float i)
    | :? int32 as i -> NNum(float i)
    | :? double as d -> NNum d
    | :? bool as b -> NNum(if b then 1.0 else 0.0)
    | :? string as s -> NText s
    | other -> NText(sprintf "<%s %O>" (other.GetType().Name) other)

let approxEqual (a: float) (b: float) =
    a = b || abs (a - b) <= 1e-9 * max (abs a) (abs b)

let valueEqual a b =
    match a, b with
    | NNull, NNull -> true
    | NNum x, NNum y -> approxEqual x y
    | NText x, NText y -> String.Equals(x, y, StringComparison.Ordinal)
    | _ -> false

let rowEqual (a: NValue list) (b: NValue list) =
    a.Length = b.Length && List.forall2 valueEqual a b

/// NULL < numbers < text, text by ordinal: only to line two multisets up for comparison.
let private sortKey (row: NValue list) =
    row
    |> List.map (fun v ->
        match v with
        | NNull -> (0, 0.0, "")
        | NNum d -> (1, d, "")
        | NText s -> (2, 0.0, s))

let private compareKeys (a: (int * float * string) list) (b: (int * float * string) list) =
    List.compareWith
        (fun (k1, d1, s1) (k2, d2, s2) ->
            if k1 <> k2 then compare k1 k2
            elif d1 <> d2 then compare d1 d2
            else String.CompareOrdinal(s1, s2))
        a
        b

let sortRows (rows: NValue list list) =
    rows |> List.sortWith (fun a b -> compareKeys (sortKey a) (sortKey b))

type Answer =
    | Rows of columns: int * rows: NValue list list
    | Failed of string

let formatValue v =
    match v with
    | NNull -> "NULL"
    | NNum d when d = Math.Round d && abs d < 1e15 -> sprintf "%.0f" d
    | NNum d -> d.ToString("R", Globalization.CultureInfo.InvariantCulture)
    | NText s -> "'" + s.Replace("'", "''") + "'"

let formatAnswer (a: Answer) =
    match a with
    | Failed msg -> "error: " + msg
    | Rows(n, rows) ->
        let body =
            rows
            |> List.map (fun r -> "  (" + (r |> List.map formatValue |> String.concat ", ") + ")")
            |> String.concat "\n"
        sprintf "%d column(s), %d row(s)%s" n rows.Length (if rows.IsEmpty then "" else "\n" + body)

let private sqliteInit = lazy (SQLitePCL.Batteries_V2.Init())

/// One SQLite database in memory.
type Sqlite() =
    do sqliteInit.Force()
    let connection = new SqliteConnection("Data Source=:memory:")
    do connection.Open()

    member _.Script(sql: string) =
        use command = connection.CreateCommand()
        command.CommandText <- sql
        command.ExecuteNonQuery() |> ignore

    member _.Query(sql: string) : Answer =
        try
            use command = connection.CreateCommand()
            command.CommandText <- sql
            use reader = command.ExecuteReader()
            let n = reader.FieldCount
            let rows =
                [ while reader.Read() do
                      yield [ for i in 0 .. n - 1 -> normalise (reader.GetValue i) ] ]
            Rows(n, rows)
        with :? SqliteException as e ->
            Failed e.Message

    interface IDisposable with
        member _.Dispose() = connection.Dispose()

/// One temporary Foundry database and a session on it.
type Foundry() =
    let db = Database.OpenTemporary()
    let session = db.OpenSession()

    member _.Script(sql: string) =
        for r in session.ExecuteScript sql do
            r.Dispose()

    member _.Query(sql: string) : Answer =
        try
            use r = session.Execute sql
            let n = r.FieldCount
            let rows =
                [ while r.Read() do
                      yield [ for i in 0 .. n - 1 -> normalise (r.GetValue i) ] ]
            Rows(n, rows)
        with
        | :? FoundryException as e -> Failed(e.Code + " " + e.LocatedMessage)
        // Anything else escaping the engine is a Foundry bug; it counts as a disagreement.
        | e -> Failed(sprintf "internal %s: %s" (e.GetType().Name) e.Message)

    interface IDisposable with
        member _.Dispose() =
            session.Dispose()
            db.Dispose()

/// Whether two answers agree; `ordered` compares rows as sequences, otherwise as multisets.
/// Two errors never agree here: every generated query is meant to be valid on both engines, so an
/// error on both sides is a generator bug and is reported like any other disagreement.
let agree (ordered: bool) (expected: Answer) (actual: Answer) =
    match expected, actual with
    | Rows(n1, r1), Rows(n2, r2) ->
        n1 = n2
        && r1.Length = r2.Length
        && (let a, b = if ordered then r1, r2 else sortRows r1, sortRows r2
            List.forall2 rowEqual a b)
    | _ -> false
