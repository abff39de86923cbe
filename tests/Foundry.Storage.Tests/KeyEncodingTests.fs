/// Key encoding: byte order of encodings equals value order (the property the B+Tree relies on).
module Foundry.Storage.Tests.KeyEncodingTests

open System
open System.Text
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

type KeyType = TInt | TDouble | TText | TBool | TBlob

type V =
    | VInt of int64
    | VDouble of double
    | VText of string
    | VBool of bool
    | VBlob of byte[]

/// A key part: None is SQL NULL.
type Part = { Type: KeyType; Value: V option }

let private intGen =
    Gen.oneof [ Gen.elements integerBoundaries
                Gen.choose (-1000, 1000) |> Gen.map int64
                ArbMap.defaults |> ArbMap.generate<int64> ]

let private doubleGen =
    Gen.oneof [ Gen.elements [ Double.NegativeInfinity; -1e300; -1.5; -Double.Epsilon; -0.0; 0.0; Double.Epsilon; 1.5; 1e300
                               Double.PositiveInfinity; Double.NaN; Double.MaxValue; Double.MinValue ]
                ArbMap.defaults |> ArbMap.generate<double> ]

let private textGen =
    // Small alphabet so prefixes and equal strings are common; includes NUL, 2/3-byte chars and a surrogate pair.
    Gen.elements [ "a"; "b"; "\000"; "é"; "€"; "😀"; "\uFFFF"; "z"; "\001" ]
    |> Gen.listOfLength 4
    |> Gen.bind (fun parts -> Gen.choose (0, 4) |> Gen.map (fun n -> String.Join("", List.take n parts)))

let private valueGen t =
    let v =
        match t with
        | TInt -> intGen |> Gen.map VInt
        | TDouble -> doubleGen |> Gen.map VDouble
        | TText -> textGen |> Gen.map VText
        | TBool -> Gen.elements [ false; true ] |> Gen.map VBool
        | TBlob -> Gen.elements [ 0uy; 1uy; 0xFEuy; 0xFFuy ] |> Gen.arrayOf |> Gen.map (fun a -> VBlob(Array.truncate 5 a))
    Gen.frequency [ 1, Gen.constant None; 6, v |> Gen.map Some ]

let encode (parts: Part list) =
    let w = KeyWriter()
    for p in parts do
        match p.Value with
        | None -> w.WriteNull() |> ignore
        | Some(VInt i) -> w.WriteInt64 i |> ignore
        | Some(VDouble d) -> w.WriteDouble d |> ignore
        | Some(VText s) -> w.WriteText s |> ignore
        | Some(VBool b) -> w.WriteBoolean b |> ignore
        | Some(VBlob b) -> w.WriteBlob(ReadOnlySpan b) |> ignore
    w.ToArray()

/// The value order the encoding must reproduce: NULL first; -0.0 = 0.0; NaN above +inf; text by UTF-8 bytes.
let compareValue (a: V option) (b: V option) =
    match a, b with
    | None, None -> 0
    | None, _ -> -1
    | _, None -> 1
    | Some a, Some b ->
        match a, b with
        | VInt x, VInt y -> compare x y
        | VDouble x, VDouble y ->
            match Double.IsNaN x, Double.IsNaN y with
            | true, true -> 0
            | true, false -> 1
            | false, true -> -1
            | false, false -> if x < y then -1 elif x > y then 1 else 0
        | VText x, VText y -> compareBytes (Encoding.UTF8.GetBytes x) (Encoding.UTF8.GetBytes y)
        | VBool x, VBool y -> compare x y
        | VBlob x, VBlob y -> compareBytes x y
        | _ -> failwith "mixed types"

let compareKey (a: Part list) (b: Part list) =
    List.zip a b |> List.map (fun (x, y) -> compareValue x.Value y.Value) |> List.tryFind ((<>) 0) |> Option.defaultValue 0

let private pairGen =
    gen {
        let! types = Gen.elements [ TInt; TDouble; TText; TBool; TBlob ] |> Gen.listOf |> Gen.filter (fun l -> l.Length >= 1 && l.Length <= 4)
        let row = types |> List.map (fun t -> valueGen t |> Gen.map (fun v -> { Type = t; Value = v })) |> Gen.sequenceToList
        let! a = row
        let! b = Gen.frequency [ 1, Gen.constant a; 4, row ]
        return a, b
    }

let private config = Config.QuickThrowOnFailure.WithMaxTest(2000)

[<Fact>]
let ``key encoding orders exactly as values do (each type including BLOB with NUL and 0xFF bytes, composite keys)`` () =
    let prop (a, b) = sign (compareBytes (encode a) (encode b)) = sign (compareKey a b)
    Check.One(config, Prop.forAll (Arb.fromGen pairGen) prop)

[<Fact>]
let ``key encoding decodes back to its parts`` () =
    let same (p: Part) (d: obj | null) =
        match p.Value, d with
        | None, null -> true
        | Some(VDouble x), (:? double as y) -> (Double.IsNaN x && Double.IsNaN y) || x = y
        | Some(VInt x), (:? int64 as y) -> x = y
        | Some(VText x), (:? string as y) -> x = y
        | Some(VBool x), (:? bool as y) -> x = y
        | Some(VBlob x), (:? (byte[]) as y) -> x = y
        | _ -> false
    let prop (a: Part list, _: Part list) =
        let decoded = KeyReader.Decode(ReadOnlySpan(encode a))
        decoded.Length = a.Length && List.forall2 same a (List.ofArray decoded)
    Check.One(config, Prop.forAll (Arb.fromGen pairGen) prop)

[<Fact>]
let ``negative zero equals zero and NaN sorts after positive infinity`` () =
    let enc (d: double) = KeyWriter().WriteDouble(d).ToArray()
    Assert.Equal<byte[]>(enc 0.0, enc -0.0)
    Assert.True(compareBytes (enc Double.PositiveInfinity) (enc Double.NaN) < 0)
    Assert.True(compareBytes (enc Double.NegativeInfinity) (enc -1e308) < 0)
    Assert.Equal<byte[]>(enc Double.NaN, enc (BitConverter.Int64BitsToDouble 0xFFF8000000000001L))

[<Fact>]
let ``NULL sorts before every value and text prefix sorts first`` () =
    let k (f: KeyWriter -> KeyWriter) = (f (KeyWriter())).ToArray()
    for v in [ k (fun w -> w.WriteInt64 Int64.MinValue); k (fun w -> w.WriteText ""); k (fun w -> w.WriteBoolean false); k (fun w -> w.WriteDouble Double.NegativeInfinity) ] do
        Assert.True(compareBytes (k (fun w -> w.WriteNull())) v < 0)
    // ("a", 5) < ("a\000", 0) < ("ab", 0): the terminator sorts below an escaped NUL and below any byte.
    let a5 = k (fun w -> w.WriteText("a").WriteInt64 5L)
    let aNul = k (fun w -> w.WriteText("a\000").WriteInt64 0L)
    let ab = k (fun w -> w.WriteText("ab").WriteInt64 0L)
    Assert.True(compareBytes a5 aNul < 0)
    Assert.True(compareBytes aNul ab < 0)

[<Fact>]
let ``text with an unpaired surrogate is rejected`` () =
    Assert.ThrowsAny<ArgumentException>(fun () -> KeyWriter().WriteText(String([| char 0xD800; 'x' |])) |> ignore) |> ignore

let private intKey (v: int64) = KeyWriter().WriteInt64(v).ToArray()

[<Fact>]
let ``INTEGER keys order as the values do, also across payload lengths and inside composite keys`` () =
    let pair = Gen.zip intGen intGen
    let single (a: int64, b: int64) = sign (compareBytes (intKey a) (intKey b)) = sign (compare a b)
    Check.One(config, Prop.forAll (Arb.fromGen pair) single)
    // Every boundary value against every other: all tags and payload lengths meet.
    let sorted = integerBoundaries |> List.sort
    let encoded = sorted |> List.map intKey
    for (a, ka), (b, kb) in List.pairwise (List.zip sorted encoded) do
        Assert.True(compareBytes ka kb < 0, sprintf "%d encodes as %s, not below %d as %s" a (Convert.ToHexString ka) b (Convert.ToHexString kb))
    // (x, y) pairs: the first part decides unless equal, whatever the lengths of either part.
    let composite (x1: int64, y1: int64, x2: int64, y2: int64) =
        let k (x: int64) (y: int64) = KeyWriter().WriteInt64(x).WriteInt64(y).ToArray()
        sign (compareBytes (k x1 y1) (k x2 y2)) = sign (compare (x1, y1) (x2, y2))
    let quad = gen {
        let! x1 = intGen
        let! x2 = Gen.frequency [ 1, Gen.constant x1; 2, intGen ]
        let! y1 = intGen
        let! y2 = intGen
        return x1, y1, x2, y2 }
    Check.One(config, Prop.forAll (Arb.fromGen quad) composite)

[<Fact>]
let ``INTEGER keys roundtrip at every payload-length boundary and take a tag plus the fewest bytes`` () =
    for v in integerBoundaries do
        let key = intKey v
        Assert.Equal<obj array>([| box v |], KeyReader.Decode(ReadOnlySpan key))
        let magnitude = if v < 0L then ~~~v else v
        let payload = [ 1..8 ] |> List.find (fun n -> n = 8 || magnitude < (1L <<< (8 * n)))
        Assert.True((key.Length = 1 + payload), sprintf "%d encodes as %s" v (Convert.ToHexString key))

[<Fact>]
let ``INTEGER key bytes: tag by sign and length, then the big-endian low bytes`` () =
    let hex (v: int64) = Convert.ToHexString(intKey v)
    Assert.Equal("2800", hex 0L)
    Assert.Equal("2801", hex 1L)
    Assert.Equal("28FF", hex 255L)
    Assert.Equal("290100", hex 256L)
    Assert.Equal("2A0F4240", hex 1_000_000L) // ids up to 16,777,215 take 4 bytes
    Assert.Equal("2AFFFFFF", hex 16_777_215L)
    Assert.Equal("2B01000000", hex 16_777_216L)
    Assert.Equal("2F7FFFFFFFFFFFFFFF", hex Int64.MaxValue)
    Assert.Equal("27FF", hex -1L)
    Assert.Equal("2700", hex -256L)
    Assert.Equal("26FEFF", hex -257L)
    Assert.Equal("208000000000000000", hex Int64.MinValue)

[<Fact>]
let ``a non-minimal or truncated INTEGER key part is rejected`` () =
    let decode (hex: string) = KeyReader.Decode(ReadOnlySpan(Convert.FromHexString hex))
    // 5 with a 2-byte payload (29 00 05) would sort above 255 (28 FF): non-minimal parts are malformed.
    Assert.Contains("needs fewer bytes", Assert.Throws<StorageException>(fun () -> decode "290005" |> ignore).Message)
    Assert.Contains("needs fewer bytes", Assert.Throws<StorageException>(fun () -> decode "26FF00" |> ignore).Message)
    Assert.Contains("needs 3 bytes", Assert.Throws<StorageException>(fun () -> decode "2A0102" |> ignore).Message)
    Assert.Equal<obj array>([| box 5L; box -256L |], decode "28052700")
