/// Scalar semantics the sqllogictest corpus and the attack review found wrong: unary plus on any
/// type, REAL overflow as an error (PostgreSQL's float8 behaviour), the least INTEGER literal,
/// ROUND with a huge negative digit count, and text positions counted in code points everywhere.
module Foundry.Engine.Tests.ExpressionSemanticsTests

open Xunit
open Foundry.Engine.Tests.Sql

let private session () =
    databaseWith
        [ "CREATE TABLE tab0 (pk INTEGER PRIMARY KEY, col0 INTEGER, col1 REAL, col2 TEXT)"
          "INSERT INTO tab0 VALUES (1, 5, 2.5, 'abc'), (2, NULL, -1.0, NULL)" ]

[<Fact>]
let ``unary plus is the identity on every type, TEXT included`` () =
    let db, s = session ()
    use _ = db
    Assert.Equal<obj list list>([ [ box "abc"; box 5L; box 2.5 ]; [ null; null; box -1.0 ] ], rows s "SELECT + col2, + col0, +col1 FROM tab0 ORDER BY pk")
    Assert.Equal<obj list list>([ [ box 1L ] ], rows s "SELECT pk FROM tab0 WHERE + col2 = 'abc'")
    Assert.Equal<obj list list>([ [ box true ] ], rows s "SELECT + (1 = 1)")

[<Fact>]
let ``a REAL literal beyond double range is an error with its place, not infinity or zero`` () =
    let db, s = session ()
    use _ = db
    for literal in [ "1e999"; "1e-999"; "1" + String.replicate 400 "0" ] do
        let e = error s ("SELECT " + literal)
        Assert.Equal("FND0040", e.Code)
        Assert.Contains("out of range for type REAL", e.Message)
        Assert.Equal(System.Nullable 1, e.Line)
        Assert.Equal(System.Nullable 8, e.Column)
    Assert.Equal<obj list list>([ [ box 1e308; box 4.9e-324 ] ], rows s "SELECT 1e308, 4.9e-324")

[<Fact>]
let ``REAL arithmetic that overflows is an error, folded or at run time`` () =
    let db, s = session ()
    use _ = db
    for sql, message in
        [ "SELECT 1e300 * 1e300", "overflow"
          "SELECT 1e308 + 1e308", "overflow"
          "SELECT -1e308 - 1e308", "overflow"
          "SELECT 1e308 / 1e-10", "overflow"
          "SELECT 1e-300 * 1e-300", "underflow"
          "SELECT col1 * 1e308 * 1e308 FROM tab0", "overflow"
          "SELECT col1 / 1e308 / 1e308 FROM tab0", "underflow" ] do
        let e = error s sql
        Assert.True(("FND5040", "value out of range: " + message) = (e.Code, e.Message), sprintf "%s: %s %s" sql e.Code e.Message)
    Assert.Equal("FND5040", (error s "SELECT CAST('1e999' AS REAL)").Code)
    // SUM and AVG accumulate with the same check.
    script s "CREATE TABLE big (r REAL)"
    script s "INSERT INTO big VALUES (1e308), (1e308)"
    Assert.Equal("FND5040", (error s "SELECT sum(r) FROM big").Code)
    Assert.Equal("FND5040", (error s "SELECT avg(r) FROM big").Code)
    Assert.Equal<obj list list>([ [ box 0.0; box 7.5 ] ], rows s "SELECT 0.0 * 1e308, 2.5 * 3")

[<Fact>]
let ``-9223372036854775808 is the least INTEGER`` () =
    let db, s = session ()
    use _ = db
    use r = s.Execute "SELECT -9223372036854775808, -9223372036854775808 + 1"
    Assert.True(r.Read())
    Assert.Equal(System.Int64.MinValue, r.GetInt64 0)
    Assert.Equal(System.Int64.MinValue + 1L, r.GetInt64 1)
    r.Dispose()
    // Without the minus the digits are beyond INTEGER: a REAL, as before.
    Assert.Equal<obj list list>([ [ box 9223372036854775808.0 ] ], rows s "SELECT 9223372036854775808")
    Assert.Equal("FND5002", (error s "SELECT - (-9223372036854775808)").Code)
    script s "CREATE TABLE m (a INTEGER DEFAULT -9223372036854775808, b INTEGER)"
    script s "INSERT INTO m (b) VALUES (1)"
    Assert.Equal<obj list list>([ [ box System.Int64.MinValue ] ], rows s "SELECT a FROM m")

[<Fact>]
let ``ROUND with a power of ten beyond double range is PostgreSQL's answer`` () =
    let db, s = session ()
    use _ = db
    Assert.Equal<obj list list>(
        [ [ box 0.0; box 0.0; box 20.0; box -20.0; box 123.46 ] ],
        rows s "SELECT round(1.5, -400), round(-1.5, -400), round(15.0, -1), round(-15.0, -1), round(123.456, 2)")

[<Fact>]
let ``text functions and LIKE count characters beyond U+FFFF once`` () =
    let db, s = session ()
    use _ = db
    Assert.Equal<obj list list>(
        [ [ box 1L; box 2L; box "😀"; box "b" ] ],
        rows s "SELECT length('😀'), length('a😀'), substr('😀b', 1, 1), substr('😀b', 2)")
    Assert.Equal<obj list list>(
        [ [ box true; box true; box false; box true; box true ] ],
        rows s "SELECT '😀' LIKE '_', 'a😀' LIKE '__', 'a😀' LIKE '___', 'x😀y' LIKE 'x_y', '😀%' LIKE '😀!%' ESCAPE '!'")
    Assert.Equal<obj list list>([ [ box true ] ], rows s "SELECT 'a_b' LIKE 'a😀_b' ESCAPE '😀'")
    // 😀 and 😁 share their first UTF-16 unit: trimming one must not cut the other in half.
    Assert.Equal<obj list list>([ [ box "😀x"; box "x😁"; box "x" ] ], rows s "SELECT rtrim('😀x😁', '😁'), ltrim('😀x😁', '😀'), trim('😀x😁', '😁😀')")
