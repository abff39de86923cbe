/// User errors: each has a code and, where it has one, a place in the SQL; the failing statement
/// changes nothing and the session goes on.
module Foundry.Engine.Tests.ErrorTests

open Xunit
open Foundry.Engine
open Foundry.Engine.Tests.Sql

let private session () =
    let db = Database.OpenTemporary()
    let s = db.OpenSession()
    script s "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)"
    script s "INSERT INTO t VALUES (1, 'a', 1.0), (2, 'b', NULL)"
    db, s

let private expectError sql code (line: int option) (column: int option) =
    let db, s = session ()
    use _ = db
    let e = error s sql
    Assert.Equal(code, e.Code)
    Assert.Equal(Option.toNullable line, e.Line)
    Assert.Equal(Option.toNullable column, e.Column)
    // The session goes on.
    Assert.Equal(2, (rows s "SELECT * FROM t").Length)
    e

[<Fact>]
let ``syntax error names line, column and token`` () =
    let e = expectError "SELECT id\nFROM t\nWHERE id = = 1" "FND0001" (Some 3) (Some 12)
    Assert.Contains("'='", e.Message)
    Assert.Contains("^", e.Rendered)

[<Fact>]
let ``unknown table`` () = expectError "SELECT * FROM nope" "FND1001" (Some 1) (Some 15) |> ignore

[<Fact>]
let ``unknown column`` () =
    let e = expectError "SELECT id, nme FROM t" "FND1002" (Some 1) (Some 12)
    Assert.Contains("nme", e.Message)

[<Fact>]
let ``type mismatch`` () = expectError "SELECT name + 1 FROM t" "FND1004" (Some 1) (Some 8) |> ignore

[<Fact>]
let ``where must be boolean`` () = expectError "SELECT * FROM t WHERE price" "FND1010" (Some 1) (Some 23) |> ignore

[<Fact>]
let ``null into not null column at bind time`` () = expectError "INSERT INTO t VALUES (3, NULL, 1.0)" "FND1018" (Some 1) (Some 26) |> ignore

[<Fact>]
let ``missing not null column`` () = expectError "INSERT INTO t (id) VALUES (3)" "FND1017" (Some 1) (Some 13) |> ignore

[<Fact>]
let ``wrong number of values`` () = expectError "INSERT INTO t VALUES (3, 'c')" "FND1009" (Some 1) (Some 23) |> ignore

[<Fact>]
let ``duplicate table`` () = expectError "CREATE TABLE T (x INTEGER)" "FND1005" (Some 1) (Some 14) |> ignore

[<Fact>]
let ``division by zero and overflow are errors, not null`` () =
    expectError "SELECT id / 0 FROM t" "FND5001" None None |> ignore
    expectError "SELECT 9223372036854775807 + id FROM t" "FND5002" None None |> ignore

[<Fact>]
let ``duplicate primary key in a multi-row insert changes nothing`` () =
    let db, s = session ()
    use _ = db
    let e = error s "INSERT INTO t VALUES (3, 'c', 3.0), (4, 'd', 4.0), (1, 'again', 0.0)"
    Assert.Equal("FND5004", e.Code)
    Assert.Equal<obj list list>([ [ box 1L ]; [ box 2L ] ], rows s "SELECT id FROM t")
    Assert.Equal(1L, exec s "INSERT INTO t VALUES (3, 'c', 3.0)")

[<Fact>]
let ``a failed create table leaves no table behind`` () =
    let db, s = session ()
    use _ = db
    Assert.Equal("FND1006", (error s "CREATE TABLE u (a INTEGER, b MONEY)").Code)
    Assert.Equal("FND1001", (error s "SELECT * FROM u").Code)

[<Fact>]
let ``several binding errors are reported together`` () =
    let db, s = session ()
    use _ = db
    let e = error s "SELECT nope, name + 1, missing FROM t"
    Assert.Equal("FND1002", e.Code)
    Assert.Contains("\"nope\"", e.Rendered)
    Assert.Contains("FND1004", e.Rendered)
    Assert.Contains("\"missing\"", e.Rendered)

[<Fact>]
let ``a table has at most RecordWriter.MaxColumns columns, by CREATE TABLE or ADD COLUMN`` () =
    let db, s = session ()
    use _ = db
    let columns n = String.concat ", " [ for i in 1..n -> sprintf "c%d INTEGER" i ]
    let limit = Foundry.Storage.RecordWriter.MaxColumns
    let e = error s (sprintf "CREATE TABLE wide (%s)" (columns (limit + 1)))
    Assert.Equal("FND1044", e.Code)
    Assert.Equal((Some 1, Some 14), (Option.ofNullable e.Line, Option.ofNullable e.Column))
    Assert.Contains($"table \"wide\" would have {limit + 1} columns; a table has at most {limit}", e.Message)
    script s (sprintf "CREATE TABLE wide (%s)" (columns limit))
    script s $"INSERT INTO wide (c1, c{limit}) VALUES (1, -70000)"
    Assert.Equal<obj list list>([ [ box 1L; box -70000L ] ], rows s $"SELECT c1, c{limit} FROM wide")
    let e = error s "ALTER TABLE wide ADD COLUMN extra TEXT"
    Assert.Equal("FND1044", e.Code)
    Assert.Equal((Some 1, Some 29), (Option.ofNullable e.Line, Option.ofNullable e.Column))
