/// The embedded API never returns a silently wrong value: typed getters check the column's type and
/// NULL, a session refuses a second statement while a result is open, and parameters convert exactly
/// (culture-invariant) or fail with a code naming the parameter.
module Foundry.Engine.Tests.ApiTests

open System
open System.Globalization
open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private session () =
    let db = Database.OpenTemporary()
    let s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, ok BOOLEAN, data BLOB)"
    script s "INSERT INTO t VALUES (1, 'one', 1.5, true, NULL), (2, NULL, NULL, NULL, NULL), (3, 'three', 3.0, false, NULL)"
    db, s

let private firstRow (s: Session) sql =
    let r = s.Execute sql
    Assert.True(r.Read())
    r

[<Fact>]
let ``a getter of another type than the column's throws InvalidCastException naming the column and its type`` () =
    let db, s = session ()
    use _ = db
    use r = firstRow s "SELECT name, id, score FROM t WHERE id = 1"
    let e = Assert.Throws<InvalidCastException>(fun () -> r.GetInt64 0 |> ignore)
    Assert.Contains("\"name\"", e.Message)
    Assert.Contains("TEXT", e.Message)
    Assert.Throws<InvalidCastException>(fun () -> r.GetString 1 |> ignore) |> ignore
    Assert.Throws<InvalidCastException>(fun () -> r.GetBoolean 1 |> ignore) |> ignore
    Assert.Throws<InvalidCastException>(fun () -> r.GetInt64 2 |> ignore) |> ignore
    Assert.Equal("one", r.GetString 0)
    Assert.Equal(1L, r.GetInt64 1)
    Assert.Equal(1.5, r.GetDouble 2)

[<Fact>]
let ``a getter on NULL throws InvalidCastException and IsNull tells NULL apart`` () =
    let db, s = session ()
    use _ = db
    use r = firstRow s "SELECT name, score, ok, data FROM t WHERE id = 2"
    for i in 0..3 do
        Assert.True(r.IsNull i)
        Assert.True(r.IsDBNull i)
        Assert.Null(r.GetValue i)
    let e = Assert.Throws<InvalidCastException>(fun () -> r.GetString 0 |> ignore)
    Assert.Contains("\"name\"", e.Message)
    Assert.Contains("NULL", e.Message)
    Assert.Throws<InvalidCastException>(fun () -> r.GetDouble 1 |> ignore) |> ignore
    Assert.Throws<InvalidCastException>(fun () -> r.GetBoolean 2 |> ignore) |> ignore
    Assert.Throws<InvalidCastException>(fun () -> r.GetBytes 3 |> ignore) |> ignore

[<Fact>]
let ``getters without a current row or out of range are errors, not stale values`` () =
    let db, s = session ()
    use _ = db
    use r = s.Execute "SELECT id FROM t WHERE id = 1"
    Assert.Throws<InvalidOperationException>(fun () -> r.GetInt64 0 |> ignore) |> ignore
    Assert.True(r.Read())
    Assert.Throws<IndexOutOfRangeException>(fun () -> r.GetInt64 1 |> ignore) |> ignore
    Assert.False(r.Read())
    Assert.Throws<InvalidOperationException>(fun () -> r.GetInt64 0 |> ignore) |> ignore

[<Fact>]
let ``a second Execute while a result is open is FND5310 and the open reader still returns every row`` () =
    let db, s = session ()
    use _ = db
    use first = s.Execute "SELECT id FROM t ORDER BY id"
    Assert.True(first.Read())
    Assert.Equal(1L, first.GetInt64 0)
    let e = Assert.Throws<FoundryException>(fun () -> s.Execute("SELECT count(*) FROM t").Dispose())
    Assert.Equal("FND5310", e.Code)
    Assert.Contains("still open", e.Message)
    let rest = [ while first.Read() do yield first.GetInt64 0 ]
    Assert.Equal<int64 list>([ 2L; 3L ], rest)
    Assert.False(first.IsOpen)
    // Read to the end, the result no longer holds the session.
    Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT count(*) FROM t")

[<Fact>]
let ``a disposed result frees the session for the next statement`` () =
    let db, s = session ()
    use _ = db
    let first = s.Execute "SELECT id FROM t ORDER BY id"
    Assert.True(first.Read())
    first.Dispose()
    Assert.Equal(1L, exec s "DELETE FROM t WHERE id = 3")

[<Fact>]
let ``a parameter that does not convert is FND5020 naming the parameter`` () =
    let db, s = session ()
    use _ = db
    let fails (sql: string) (args: obj[]) =
        let e = Assert.Throws<FoundryException>(fun () ->
            use r = s.Execute(sql, args)
            while r.Read() do ())
        Assert.Equal("FND5020", e.Code)
        e
    let e = fails "SELECT name FROM t WHERE id = $1" [| box "abc" |]
    Assert.Contains("$1", e.Message)
    Assert.Contains("INTEGER", e.Message)
    Assert.Contains("$2", (fails "SELECT name FROM t WHERE id = $1 AND score = $2" [| box 1L; box "1,5" |]).Message)
    fails "SELECT name FROM t WHERE id = $1" [| box 1.5 |] |> ignore
    fails "SELECT name FROM t WHERE id = $1" [| box [| 1uy |] |] |> ignore
    fails "SELECT name FROM t WHERE id = $1" [| box UInt64.MaxValue |] |> ignore
    fails "INSERT INTO t (id, data) VALUES (9, $1)" [| box "bytes" |] |> ignore
    fails "INSERT INTO t (id, ok) VALUES (9, $1)" [| box 2L |] |> ignore
    fails "INSERT INTO t (id, name) VALUES (9, $1)" [| box [| 1uy |] |] |> ignore
    // Nothing was stored, and the session goes on.
    Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT count(*) FROM t")

[<Fact>]
let ``date, time, uuid and decimal parameters are unsupported, never stored as culture-formatted text`` () =
    let db, s = session ()
    use _ = db
    let values: obj list =
        [ DateTime(2026, 3, 12, 14, 6, 35); DateTimeOffset(2026, 3, 12, 14, 6, 35, TimeSpan.Zero); DateOnly(2026, 3, 12)
          TimeOnly(14, 6, 35); Guid.NewGuid(); 0.1M; TimeSpan.FromHours 1.0; 'x' ]
    for v in values do
        let e = Assert.Throws<FoundryException>(fun () -> s.Execute("INSERT INTO t (id, name) VALUES (9, $1)", v).Dispose())
        Assert.Equal("FND5021", e.Code)
        Assert.Contains("$1", e.Message)
        Assert.Contains(v.GetType().Name, e.Message)
        Assert.Contains("unsupported parameter type", e.Message)
    // Refused even where the statement never reads the value.
    let e = Assert.Throws<FoundryException>(fun () -> s.Execute("SELECT 1", DateTime.Now).Dispose())
    Assert.Equal("FND5021", e.Code)
    Assert.Equal<obj list list>([ [ box 3L ] ], rows s "SELECT count(*) FROM t")

[<Fact>]
let ``parameter conversions are culture-invariant and exact`` () =
    let db, s = session ()
    use _ = db
    let saved = CultureInfo.CurrentCulture
    // A culture that writes 1.5 as "1,5" (the machine may run in globalization-invariant mode, so no named culture).
    let comma = CultureInfo.InvariantCulture.Clone() :?> CultureInfo
    comma.NumberFormat.NumberDecimalSeparator <- ","
    comma.NumberFormat.NumberGroupSeparator <- "."
    CultureInfo.CurrentCulture <- comma
    try
        let one (sql: string) (arg: obj) =
            use r = s.Execute(sql, arg)
            Assert.True(r.Read())
            r.GetValue 0
        Assert.Equal(box "1.5", one "SELECT CAST($1 AS TEXT) || ''" (box 1.5))
        Assert.Equal(box "true", one "SELECT CAST($1 AS TEXT) || ''" (box true))
        Assert.Equal(box 1.5, one "SELECT $1 + 0.0" (box "1.5"))
        Assert.Equal(box 12L, one "SELECT $1 + 0" (box " 12 "))
        Assert.Equal(box 3L, one "SELECT $1 + 0" (box 3.0))
        Assert.Equal(box 7L, one "SELECT $1 + 0" (box 7uy))
        Assert.Equal(box true, one "SELECT $1 AND true" (box "yes"))
    finally
        CultureInfo.CurrentCulture <- saved
