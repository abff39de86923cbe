/// PageDelta: applying the encoding of (before -> after) to before gives after, for any change, and a
/// delta that would not fit its budget is refused rather than truncated.
module Foundry.Storage.Tests.PageDeltaTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage

let private changeGen =
    gen {
        let! size = Gen.elements [ 512; 4096 ]
        let! seed = Gen.choose (0, Int32.MaxValue - 1)
        let! edits = Gen.listOf (Gen.zip3 (Gen.choose (0, 4095)) (Gen.choose (1, 40)) (Gen.choose (0, 255)))
        return size, seed, edits
    }

[<Fact>]
let ``PageDelta apply(encode(before, after), before) = after for any set of edits`` () =
    let prop (size: int, seed: int, edits: (int * int * int) list) =
        let before = Array.zeroCreate<byte> size
        Random(seed).NextBytes before
        let after = Array.copy before
        for offset, length, b in edits do
            let o = offset % size
            Array.fill after o (min length (size - o)) (byte b)
        // Twice the page always suffices: ranges are separated by at least 8 equal bytes and cost 4 header bytes each.
        let buffer = Array.zeroCreate<byte> (2 * size)
        match PageDelta.TryEncode(ReadOnlySpan before, ReadOnlySpan after, Span buffer) with
        | true, written ->
            let rebuilt = Array.copy before
            PageDelta.Apply(ReadOnlySpan(buffer, 0, written), Span rebuilt)
            rebuilt = after
        | false, _ -> false
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.forAll (Arb.fromGen changeGen) prop)

[<Fact>]
let ``PageDelta of an unchanged page is empty, and a change larger than the budget is refused`` () =
    let page = Array.init 512 byte
    let buffer = Array.zeroCreate<byte> 256
    let ok, written = PageDelta.TryEncode(ReadOnlySpan page, ReadOnlySpan page, Span buffer)
    Assert.True(ok)
    Assert.Equal(2, written)
    let changed = Array.map (fun b -> b ^^^ 0xFFuy) page
    let fits, _ = PageDelta.TryEncode(ReadOnlySpan page, ReadOnlySpan changed, Span buffer)
    Assert.False(fits)
