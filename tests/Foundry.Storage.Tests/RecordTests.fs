/// Record format: writer/reader roundtrip and exact layout.
module Foundry.Storage.Tests.RecordTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

type Column =
    | CNull
    | CInt of int64
    | CReal of double
    | CText of string
    | CBool of bool
    | CBlob of byte[]

let private textGen =
    Gen.elements [ ""; "a"; "hello"; "\000"; "é€😀"; String('x', 300) ]

let private integerGen =
    Gen.oneof [ Gen.elements integerBoundaries; ArbMap.defaults |> ArbMap.generate<int64> ]

/// Mostly small blobs; now and then one large enough to need 2- or 4-byte end offsets.
let private blobGen =
    Gen.frequency [ 20, ArbMap.defaults |> ArbMap.generate<byte[]>
                    1, Gen.elements [ 250; 256; 65_000; 65_536; 70_000 ] |> Gen.map (fun n -> Array.init n byte) ]

let private columnGen =
    Gen.oneof [ Gen.constant CNull
                integerGen |> Gen.map CInt
                ArbMap.defaults |> ArbMap.generate<double> |> Gen.map CReal
                textGen |> Gen.map CText
                Gen.elements [ true; false ] |> Gen.map CBool
                blobGen |> Gen.map CBlob ]

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

/// The fewest bytes holding v as two's complement, computed without bit tricks: the oracle for IntegerBytes.
let private fewestBytes (v: int64) =
    [ 1..8 ] |> List.find (fun k -> k = 8 || (let half = 1L <<< (8 * k - 1) in -half <= v && v < half))

/// The header word's offset width code: its top two bits, in its second (high) byte.
let private offsetWidthCode (r: byte[]) = int r.[1] >>> 6

[<Fact>]
let ``record layout is header word, null bitmap, end offsets, data`` () =
    let r = write (RecordWriter()) [ CInt 7L; CNull; CText "hi" ]
    // u16 3 (width code 0: 1-byte offsets) | bitmap 0b010 | end offsets (data starts at 2 + 1 + 3 = 6): 7, 7, 9 | data
    let expected = [| 3uy; 0uy; 0b010uy; 7uy; 7uy; 9uy; 7uy; byte 'h'; byte 'i' |]
    Assert.Equal<byte[]>(expected, r)

[<Fact>]
let ``an INTEGER takes the fewest bytes that hold it, little-endian two's complement`` () =
    let bytesOf v = write (RecordWriter()) [ CInt v ] |> Array.skip 4 // header: u16, 1-byte bitmap, 1-byte offset
    Assert.Equal<byte[]>([| 0uy |], bytesOf 0L)
    Assert.Equal<byte[]>([| 0xFFuy |], bytesOf -1L)
    Assert.Equal<byte[]>([| 0x7Fuy |], bytesOf 127L)
    Assert.Equal<byte[]>([| 0x80uy; 0x00uy |], bytesOf 128L)
    Assert.Equal<byte[]>([| 0x80uy |], bytesOf -128L)
    Assert.Equal<byte[]>([| 0x7Fuy; 0xFFuy |], bytesOf -129L)
    Assert.Equal<byte[]>([| 0x00uy; 0x80uy; 0x00uy |], bytesOf 32768L)
    Assert.Equal<byte[]>([| 0x00uy; 0x00uy; 0x80uy; 0x00uy |], bytesOf (1L <<< 23))
    Assert.Equal<byte[]>([| 0x00uy; 0x00uy; 0x00uy; 0x80uy; 0x00uy |], bytesOf (1L <<< 31))
    Assert.Equal<byte[]>([| 0x00uy; 0x00uy; 0x00uy; 0x00uy; 0x00uy; 0x80uy; 0x00uy |], bytesOf (1L <<< 47))
    Assert.Equal<byte[]>(BitConverter.GetBytes Int64.MinValue, bytesOf Int64.MinValue)
    Assert.Equal<byte[]>(BitConverter.GetBytes Int64.MaxValue, bytesOf Int64.MaxValue)

[<Fact>]
let ``INTEGER roundtrips at every width boundary, in the fewest bytes`` () =
    let w = RecordWriter()
    for v in integerBoundaries do
        let r = write w [ CInt v; CInt -v ]
        Assert.Equal(v, RecordReader.GetInt64(r, 0, 0))
        Assert.Equal(-v, RecordReader.GetInt64(r, 0, 1))
        let _, length = RecordReader.ColumnOffset(r, 0, 0)
        Assert.True((length = fewestBytes v), sprintf "%d takes %d bytes, expected %d" v length (fewestBytes v))
        Assert.Equal(fewestBytes v, RecordWriter.IntegerBytes v)

[<Fact>]
let ``end offsets take 1, 2 or 4 bytes: the smallest that holds the record's length`` () =
    let w = RecordWriter()
    // One BLOB column: header 2 + 1 + W bytes, then the blob.
    for blobBytes, width, code in [ 0, 1, 0; 251, 1, 0; 252, 2, 1; 65_530, 2, 1; 65_531, 4, 2; 100_000, 4, 2 ] do
        let blob = Array.init blobBytes byte
        let r = write w [ CBlob blob ]
        Assert.Equal(3 + width + blobBytes, r.Length)
        Assert.Equal(code, offsetWidthCode r)
        Assert.Equal(width, RecordReader.OffsetWidth(r, 0))
        Assert.Equal<byte[]>(blob, RecordReader.GetBlob(r, 0, 0))

[<Fact>]
let ``a record with the most columns, and a large one, roundtrip`` () =
    let w = RecordWriter()
    let cols = List.init RecordWriter.MaxColumns (fun i ->
        match i % 5 with
        | 0 -> CInt(int64 i * 1_000_003L)
        | 1 -> CNull
        | 2 -> CText(String('t', i % 40))
        | 3 -> CReal(float i / 3.0)
        | _ -> CBool(i % 2 = 0))
    let r = write w cols
    Assert.Equal(RecordWriter.MaxColumns, RecordReader.ColumnCount(r, 0))
    Assert.Equal(4, RecordReader.OffsetWidth(r, 0)) // well over 65535 bytes
    cols |> List.iteri (fun i c -> Assert.True(same (read r 0 i c) c, sprintf "column %d" i))
    // Many columns in a record that still fits 2-byte offsets.
    let small = List.init RecordWriter.MaxColumns (fun i -> if i % 2 = 0 then CInt(int64 i) else CNull)
    let r2 = write w small
    Assert.Equal(2, RecordReader.OffsetWidth(r2, 0))
    small |> List.iteri (fun i c -> Assert.True(same (read r2 0 i c) c, sprintf "column %d" i))
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> w.Begin(RecordWriter.MaxColumns + 1) |> ignore) |> ignore

[<Fact>]
let ``every record uses the smallest offset width that holds it`` () =
    let w = RecordWriter()
    let widthFits (r: byte[]) width =
        let n = RecordReader.ColumnCount(r, 0)
        let data = r.Length - RecordReader.HeaderSize(n, RecordReader.OffsetWidth(r, 0))
        let total = RecordReader.HeaderSize(n, width) + data
        int64 total <= (1L <<< (8 * width)) - 1L
    let prop (cols: Column list) =
        let r = write w cols
        let width = RecordReader.OffsetWidth(r, 0)
        widthFits r width && [ 1; 2; 4 ] |> List.filter (fun x -> x < width) |> List.forall (fun x -> not (widthFits r x))
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.forAll (Arb.fromGen (Gen.listOf columnGen)) prop)

[<Fact>]
let ``a bad offset width code or a non-INTEGER length read as INTEGER fails with context`` () =
    let r = write (RecordWriter()) [ CInt 1L; CText "ninebytes" ]
    let ex = Assert.Throws<StorageException>(fun () -> RecordReader.GetInt64(r, 0, 1) |> ignore)
    Assert.Contains("expected 1 to 8 bytes, found 9", ex.Message)
    r.[1] <- r.[1] ||| 0xC0uy
    let ex = Assert.Throws<StorageException>(fun () -> RecordReader.GetInt64(r, 0, 0) |> ignore)
    Assert.Contains("offset width code 3", ex.Message)

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
