/// CRC-32C: the CPU-instruction path must equal the table-driven definition for every length and
/// alignment, and both must give the standard check value.
module Foundry.Storage.Tests.Crc32CTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage

[<Fact>]
let ``CRC-32C of "123456789" is the standard check value 0xE3069283`` () =
    let data = Text.Encoding.ASCII.GetBytes "123456789"
    Assert.Equal(0xE3069283u, Crc32C.Compute(ReadOnlySpan data))
    Assert.Equal(0xE3069283u, Crc32C.ComputeByTable(ReadOnlySpan data))

[<Fact>]
let ``CRC-32C fast path equals the table for any bytes, length and starting offset`` () =
    let prop (data: byte[], skip: byte) =
        let offset = if data.Length = 0 then 0 else int skip % data.Length
        let span = ReadOnlySpan(data, offset, data.Length - offset)
        Crc32C.Compute span = Crc32C.ComputeByTable span
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), prop)

[<Fact>]
let ``CRC-32C changes when any single bit of a page changes`` () =
    let page = Array.init 8192 (fun i -> byte (i * 7))
    let original = Crc32C.Compute(ReadOnlySpan page)
    for bit in [ 0; 63; 64; 4095 * 8 + 3; 8191 * 8 + 7 ] do
        page.[bit / 8] <- page.[bit / 8] ^^^ (1uy <<< (bit % 8))
        Assert.NotEqual(original, Crc32C.Compute(ReadOnlySpan page))
        page.[bit / 8] <- page.[bit / 8] ^^^ (1uy <<< (bit % 8))
