/// The runner against a scripted fake engine: what passes, what fails, what is skipped.
module Foundry.Conformance.Tests.RunnerTests

open System
open System.Threading
open Xunit
open Foundry.Conformance.Tests.Slt

/// An engine whose answers are a function of the SQL text.
type FakeEngine(answer: string -> Outcome) =
    interface IEngine with
        member _.Execute sql = answer sql
    interface IDisposable with
        member _.Dispose() = ()

let private rows (columns: int) (values: obj list list) = Rows(columns, values |> List.map Array.ofList)

let private run (answer: string -> Outcome) script = runScript "foundry" (fun () -> new FakeEngine(answer)) script

let private statuses (r: FileResult) = r.Results |> List.map (fun x -> x.Status)

let private isFailed s = match s with Failed _ -> true | _ -> false

let private reasonOf (r: RecordResult) = match r.Status with Failed why -> why | s -> string s

[<Fact>]
let ``statement ok needs success and statement error needs a reported error`` () =
    let answer (sql: string) = if sql.StartsWith "BAD" then SqlError "no" else Done
    let r = run answer "statement ok\nGOOD\n\nstatement error\nBAD\n\nstatement ok\nBAD\n\nstatement error\nGOOD\n"
    Assert.Equal<Status list>([ Passed; Passed ], statuses r |> List.take 2)
    Assert.True(statuses r |> List.skip 2 |> List.forall isFailed)
    Assert.Equal((2, 2, 0), (r.Passed, r.Failed, r.Skipped))

[<Fact>]
let ``a crash is a failure even for statement error, and the run goes on`` () =
    let answer (sql: string) = if sql = "CRASH" then raise (NullReferenceException "boom") else rows 1 [ [ box 1L ] ]
    let r = run answer "statement error\nCRASH\n\nquery I nosort\nCRASH\n----\n1\n\nquery I nosort\nSELECT 1\n----\n1\n"
    Assert.Equal((1, 2, 0), (r.Passed, r.Failed, r.Skipped))
    Assert.Contains("NullReferenceException", reasonOf r.Results.[0])

[<Fact>]
let ``a wrong column count fails the record even when the values match`` () =
    let r = run (fun _ -> rows 2 [ [ box 1L; box 2L ] ]) "query I nosort\nSELECT 1, 2\n----\n1\n2\n"
    Assert.Equal(1, r.Failed)
    Assert.Contains("2 columns returned, 1 expected", reasonOf r.Results.[0])

[<Fact>]
let ``values are compared after rendering and sorting`` () =
    let answer _ = rows 2 [ [ box 10L; box "b" ]; [ box 9.7; box "" ]; [ null; box "a" ] ]
    let script =
        "query IT rowsort\nQ\n----\n10\nb\n9\n(empty)\nNULL\na\n\n"
        + "query IT nosort\nQ\n----\n10\nb\n9\n(empty)\nNULL\na\n\n"
        + "query IT valuesort\nQ\n----\n(empty)\n10\n9\nNULL\na\nb\n\n"
        + "query IT nosort\nQ\n----\n10\nb\n9\n(empty)\nNULL\nWRONG\n"
    let r = run answer script
    Assert.Equal<Status list>([ Passed; Passed; Passed ], statuses r |> List.take 3)
    Assert.True(isFailed (List.last (statuses r)))

[<Fact>]
let ``an empty expected block needs an empty result`` () =
    let r = run (fun sql -> if sql = "NONE" then rows 1 [] else rows 1 [ [ box 1L ] ]) "query I nosort\nNONE\n\nquery I nosort\nSOME\n"
    Assert.Equal<Status list>([ Passed ], statuses r |> List.take 1)
    Assert.Equal(1, r.Failed)

[<Fact>]
let ``a statement where a query was expected fails`` () =
    let r = run (fun _ -> Done) "query I nosort\nCREATE TABLE t(a INTEGER)\n"
    Assert.Equal(1, r.Failed)

[<Fact>]
let ``hashed results compare the count and the md5 of the sorted rendered values`` () =
    // printf '1\n2\n' | md5sum = 6ddb4095eb719e2a9f0a3f95677d24e0
    let answer _ = rows 1 [ [ box 2L ]; [ box 1L ] ]
    let script =
        "hash-threshold 1\n\n"
        + "query I rowsort\nQ\n----\n2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0\n\n"
        + "query I nosort\nQ\n----\n2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0\n\n"
        + "query I rowsort\nQ\n----\n3 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0\n"
    let r = run answer script
    Assert.Equal<Status list>([ Passed ], statuses r |> List.take 1)
    Assert.Equal(2, r.Failed) // nosort keeps 2,1; the count 3 is wrong

[<Fact>]
let ``every query with one label must give the label's hash`` () =
    // Both queries expect 1,2, but the label was fixed by a query expecting 1 alone: the second fails.
    let answer sql = if sql = "ONE" then rows 1 [ [ box 1L ] ] else rows 1 [ [ box 1L ]; [ box 2L ] ]
    let script =
        "query I nosort label-1\nONE\n----\n1\n\n"
        + "query I nosort label-2\nTWO\n----\n1\n2\n\n"
        + "query I nosort label-2\nTWO\n----\n1\n2\n\n"
        + "query I nosort label-1\nTWO\n----\n1\n2\n"
    let r = run answer script
    Assert.Equal<Status list>([ Passed; Passed; Passed ], statuses r |> List.take 3)
    Assert.True(isFailed (List.last (statuses r)))
    Assert.Contains("label-1", reasonOf (List.last r.Results))

[<Fact>]
let ``skipif and onlyif use the engine name foundry; skipped records are counted apart`` () =
    let r = run (fun _ -> rows 1 [ [ box 1L ] ]) "onlyif sqlite\nquery I nosort\nQ\n----\n1\n\nskipif sqlite\nquery I nosort\nQ\n----\n1\n\nskipif foundry\nquery I nosort\nQ\n----\n1\n\nonlyif foundry\nquery I nosort\nQ\n----\n1\n"
    Assert.Equal<Status list>([ Skipped; Passed; Skipped; Passed ], statuses r)
    Assert.Equal(1.0, r.Rate)

[<Fact>]
let ``halt ends the file, and a guarded halt for another engine does not`` () =
    let ok _ = rows 1 [ [ box 1L ] ]
    let r = run ok "onlyif mssql\nhalt\n\nquery I\nQ\n----\n1\n\nhalt\n\nquery I\nQ\n----\n1\n\nstatement ok\nX\n"
    Assert.Equal<Status list>([ Passed; Skipped; Skipped ], statuses r)

[<Fact>]
let ``malformed records count as failures`` () =
    let r = run (fun _ -> Done) "statement ok\nX\n\nquery I sideways\nQ\n"
    Assert.Equal((1, 1, 0), (r.Passed, r.Failed, r.Skipped))

[<Fact>]
let ``an engine that cannot open fails every applicable record`` () =
    let r = runScript "foundry" (fun () -> failwith "disk on fire") "statement ok\nX\n\nonlyif mysql\nstatement ok\nX\n"
    Assert.Equal((0, 1, 1), (r.Passed, r.Failed, r.Skipped))

[<Fact>]
let ``a record past the time limit fails with every later record of the file`` () =
    let answer (sql: string) =
        if sql = "SLOW" then Thread.Sleep 5000
        rows 1 [ [ box 1L ] ]
    let script = "query I\nQ\n----\n1\n\nquery I\nSLOW\n----\n1\n\nquery I\nQ\n----\n1\n\nonlyif mysql\nquery I\nQ\n----\n1\n"
    let r = runFile "foundry" (fun () -> new FakeEngine(answer)) (TimeSpan.FromSeconds 1.0) "(inline)" (parse script)
    Assert.True r.TimedOut
    Assert.Equal((1, 2, 1), (r.Passed, r.Failed, r.Skipped))
    Assert.Contains("time limit", reasonOf r.Results.[1])
