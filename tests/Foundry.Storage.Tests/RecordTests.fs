/// Record format: writer/reader roundtrip and exact layout.
module Foundry.Storage.Tests.RecordTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage

type Column =
    | CNull
    | CInt of int64
    | CReal of double
    | CText of string
    | CBool of bool
    | CBlob of byte[]

let private textGen =
    Gen.elements [ ""; "a"; "hello"; "\000"; "é€😀"; String('x', 300) ]

let private columnGen =
    Gen.oneof [ Gen.constant CNull
                ArbMap.defaults |> ArbMap.generate<int64> |> Gen.map CInt
                ArbMap.defaults |> ArbMap.generate<double> |> Gen.map CReal
                textGen |> Gen.map CText
                Gen.elements [ true; false ] |> Gen.map CBool
                ArbMap.defaults |> ArbMap.generate<byte[]> |> Gen.map CBlob ]

let write (w: RecordWriter) (cols: Column list) =
    w.Begin(cols.Length) |> ignore
    for c in cols do
        match c with
        | CNull -> w.WriteNull() |> ignore
        | CInt v -> w.WriteInt64 v |> ignore
        | CReal v -> w.WriteDouble v |> ignore
        | CText v -> w.WriteText v |> ignore
        | CBool v -> w.WriteBoolean v |> ignore
        | CBlob v -> w.WriteBlob(ReadOnlySpan v) |> ignore
    w.ToArray()

let read (buf: byte[]) (off: int) (col: int) (shape: Column) =
    if RecordReader.IsNull(buf, off, col) then CNull
    else
        match shape with
        | CNull -> failwith "expected NULL"
        | CInt _ -> CInt(RecordReader.GetInt64(buf, off, col))
        | CReal _ -> CReal(RecordReader.GetDouble(buf, off, col))
        | CText _ -> CText(RecordReader.GetText(buf, off, col))
        | CBool _ -> CBool(RecordReader.GetBoolean(buf, off, col))
        | CBlob _ -> CBlob(RecordReader.GetBlob(buf, off, col))

let same a b =
    match a, b with
    | CReal x, CReal y -> BitConverter.DoubleToInt64Bits x = BitConverter.DoubleToInt64Bits y
    | CBlob x, CBlob y -> x = y
    | _ -> a = b

[<Fact>]
let ``record writer and reader roundtrip at any offset`` () =
    let w = RecordWriter() // reused across cases, as callers do
    let gen = gen {
        let! cols = Gen.listOf columnGen
        let! prefix = Gen.choose (0, 17)
        return cols, prefix }
    let prop (cols: Column list, prefix: int) =
        let record = write w cols
        let buf = Array.append (Array.create prefix 0xEEuy) (Array.append record [| 0xEEuy |])
        RecordReader.ColumnCount(buf, prefix) = cols.Length
        && cols |> List.mapi (fun i c -> same (read buf prefix i c) c) |> List.forall id
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.forAll (Arb.fromGen gen) prop)

[<Fact>]
let ``record layout is count, null bitmap, end offsets, data`` () =
    let r = write (RecordWriter()) [ CInt 7L; CNull; CText "hi" ]
    // u16 3 | bitmap 0b010 | end offsets (data starts at 2 + 1 + 12 = 15): 23, 23, 25 | data
    let expected =
        [| 3uy; 0uy; 0b010uy; 23uy; 0uy; 0uy; 0uy; 23uy; 0uy; 0uy; 0uy; 25uy; 0uy; 0uy; 0uy
           7uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; byte 'h'; byte 'i' |]
    Assert.Equal<byte[]>(expected, r)

[<Fact>]
let ``reading a NULL column as INTEGER fails with context`` () =
    let r = write (RecordWriter()) [ CNull ]
    let ex = Assert.Throws<StorageException>(fun () -> RecordReader.GetInt64(r, 0, 0) |> ignore)
    Assert.Contains("NULL", ex.Message)
    // A column past the record's end reads as NULL (the record predates ALTER TABLE ADD COLUMN); a
    // negative column is still an error.
    Assert.True(RecordReader.IsNull(r, 0, 1))
    Assert.Throws<StorageException>(fun () -> RecordReader.IsNull(r, 0, -1) |> ignore) |> ignore

[<Fact>]
let ``writing too few columns is an error`` () =
    let w = RecordWriter().Begin(2).WriteInt64(1L)
    Assert.Throws<InvalidOperationException>(fun () -> w.ToArray() |> ignore) |> ignore
