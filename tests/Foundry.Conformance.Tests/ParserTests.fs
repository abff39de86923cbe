/// The record parser on small inline scripts.
module Foundry.Conformance.Tests.ParserTests

open Xunit
open Foundry.Conformance.Tests.Slt

let private commands script = parse script |> List.map (fun r -> r.Command)

[<Fact>]
let ``statement ok and statement error take the SQL lines up to the blank line`` () =
    let script = "statement ok\nCREATE TABLE t1(a INTEGER,\n b INTEGER)\n\nstatement error\nDROP TABLE nope\n"
    Assert.Equal<Command list>(
        [ Statement(true, "CREATE TABLE t1(a INTEGER,\n b INTEGER)"); Statement(false, "DROP TABLE nope") ],
        commands script
    )

[<Fact>]
let ``query header gives types, sort mode and label; values one per line`` () =
    let script = "query IT rowsort label-7\nSELECT a, b\n  FROM t1\n----\n1\nx\n2\n(empty)\n"
    Assert.Equal<Command list>(
        [ Query("IT", RowSort, Some "label-7", "SELECT a, b\n  FROM t1", Values [ "1"; "x"; "2"; "(empty)" ]) ],
        commands script
    )

[<Fact>]
let ``query without sort mode is nosort; without ---- the expected result is empty`` () =
    Assert.Equal<Command list>([ Query("I", NoSort, None, "SELECT 1 WHERE 0", Values []) ], commands "query I\nSELECT 1 WHERE 0\n")
    Assert.Equal<Command list>(
        [ Query("R", ValueSort, None, "SELECT x FROM t", Values []) ],
        commands "query R valuesort\nSELECT x FROM t\n----\n"
    )

[<Fact>]
let ``a single "N values hashing to md5" line is a hash`` () =
    let script = "query III nosort\nSELECT * FROM t1\n----\n30 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n"
    Assert.Equal<Command list>(
        [ Query("III", NoSort, None, "SELECT * FROM t1", Hash(30, "3c13dee48d9356ae19af2515e05e6b54")) ],
        commands script
    )

[<Fact>]
let ``hash-threshold and halt are records of their own`` () =
    Assert.Equal<Command list>([ HashThreshold 8; Halt ], commands "hash-threshold 8\n\nhalt\n")

[<Fact>]
let ``skipif and onlyif lines go in front of a record, with trailing comments ignored`` () =
    let records = parse "skipif mysql\nonlyif sqlite # empty RHS\nquery I nosort\nSELECT 1 IN ()\n----\n0\n"
    let r = Assert.Single records
    Assert.Equal<Condition list>([ SkipIf "mysql"; OnlyIf "sqlite" ], r.Conditions)
    Assert.Equal(Query("I", NoSort, None, "SELECT 1 IN ()", Values [ "0" ]), r.Command)
    Assert.False(applies "foundry" r)
    Assert.True(applies "sqlite" r)
    let s = Assert.Single(parse "skipif sqlite\nstatement ok\nSELECT 1\n")
    Assert.True(applies "foundry" s)
    Assert.False(applies "sqlite" s)
    Assert.False(applies "foundry" (Assert.Single(parse "skipif foundry\nstatement ok\nSELECT 1\n")))
    Assert.True(applies "foundry" (Assert.Single(parse "onlyif foundry\nstatement ok\nSELECT 1\n")))

[<Fact>]
let ``comment lines are dropped before splitting: they neither separate records nor belong to them`` () =
    let script = "# header\nquery I nosort\n# inside the SQL\nSELECT 1\n# between\n----\n# inside the values\n1\n#\nstatement ok\nSELECT 2\n"
    // The comment after the value "1" does not end the record, so "statement ok" ... would be a value:
    // records need a real blank line between them.
    match commands script with
    | [ Query("I", NoSort, None, "SELECT 1", Values [ "1"; "statement ok"; "SELECT 2" ]) ] -> ()
    | other -> failwithf "unexpected parse: %A" other

[<Fact>]
let ``whitespace-only lines separate records; CRLF line endings are accepted`` () =
    let script = "statement ok\r\nCREATE TABLE t(a INTEGER)\r\n   \t \r\nquery I nosort\r\nSELECT a FROM t\r\n----\r\n1\r\n\r\n\r\n"
    Assert.Equal<Command list>(
        [ Statement(true, "CREATE TABLE t(a INTEGER)"); Query("I", NoSort, None, "SELECT a FROM t", Values [ "1" ]) ],
        commands script
    )

[<Fact>]
let ``record lines are numbered from 1, counting comment lines`` () =
    let records = parse "# c\n\nstatement ok\nSELECT 1\n\n# d\nskipif x\nquery I\nSELECT 2\n"
    Assert.Equal<int list>([ 3; 7 ], records |> List.map (fun r -> r.Line))

[<Fact>]
let ``unknown records and bad headers are malformed (they count as failures, never vanish)`` () =
    let isMalformed c = match c with Malformed _ -> true | _ -> false
    for script in [ "statement maybe\nSELECT 1\n"; "query I sideways\nSELECT 1\n"; "query IX\nSELECT 1\n"; "frobnicate\n"; "onlyif mysql\n" ] do
        let r = Assert.Single(parse script)
        Assert.True(isMalformed r.Command, sprintf "%A" r.Command)
        Assert.True(isCounted r)

[<Fact>]
let ``a trailing semicolon is accepted and several commands are split outside quotes`` () =
    Assert.Equal<string list>([ "DROP INDEX t1i1" ], splitCommands "DROP INDEX t1i1;")
    Assert.Equal<string list>([ "INSERT INTO t VALUES('a;b')"; "DROP INDEX i" ], splitCommands "INSERT INTO t VALUES('a;b');\nDROP INDEX i;")
    Assert.Equal<string list>([ "SELECT 'it''s;'" ], splitCommands "SELECT 'it''s;'")
