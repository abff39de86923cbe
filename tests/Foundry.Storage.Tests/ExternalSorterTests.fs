/// ExternalSorter: whatever the budget (everything in memory, or one pair per spilled run), the output is
/// the input stably sorted by key bytes, and no run file outlives the sorter.
module Foundry.Storage.Tests.ExternalSorterTests

open System
open System.IO
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage

let private sortedByKey (pairs: (byte[] * byte[]) list) =
    // List.sortWith is stable: equal keys keep their input order.
    pairs |> List.sortWith (fun (a, _) (b, _) -> ReadOnlySpan(a).SequenceCompareTo(ReadOnlySpan b))

let private run (budget: int64) (directory: string) (pairs: (byte[] * byte[]) list) =
    use sorter = new ExternalSorter(budget, directory)
    for k, v in pairs do sorter.Add(k, v)
    let out = sorter.Sorted() |> Seq.map (fun struct (k, v) -> k, v) |> List.ofSeq
    out, sorter.SpilledRuns

let private pairGen =
    Gen.zip (Gen.arrayOf (Gen.choose (0, 3) |> Gen.map byte)) (Gen.arrayOf (Gen.choose (0, 255) |> Gen.map byte))

[<Fact>]
let ``ExternalSorter output is the stable sort of its input for any memory budget`` () =
    let dir = Directory.CreateTempSubdirectory("foundry-sort-test").FullName
    try
        let prop (pairs: (byte[] * byte[]) list, budget: int) =
            let out, _ = run (int64 budget) dir pairs
            let expected = sortedByKey pairs
            List.length out = List.length expected
            && List.forall2 (fun (k1: byte[], v1: byte[]) (k2: byte[], v2: byte[]) -> k1 = k2 && v1 = v2) out expected
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf pairGen) (Gen.choose (1, 600)))) prop)
        Assert.Empty(Directory.GetFiles dir)
    finally
        Directory.Delete(dir, true)

[<Fact>]
let ``ExternalSorter spills runs beyond its budget and merges 10,000 pairs in order`` () =
    let dir = Directory.CreateTempSubdirectory("foundry-sort-test").FullName
    try
        let rng = Random 7
        let pairs = [ for i in 1 .. 10_000 -> KeyWriter().WriteInt64(int64 (rng.Next 5000)).ToArray(), BitConverter.GetBytes i ]
        let out, runs = run 20_000L dir pairs
        Assert.True(runs > 10, sprintf "expected many spilled runs, got %d" runs)
        Assert.Equal<(byte[] * byte[]) list>(sortedByKey pairs, out)
        let inMemory, noRuns = run (1L <<< 30) dir pairs
        Assert.Equal(0, noRuns)
        Assert.Equal<(byte[] * byte[]) list>(out, inMemory)
        Assert.Empty(Directory.GetFiles dir)
    finally
        Directory.Delete(dir, true)
