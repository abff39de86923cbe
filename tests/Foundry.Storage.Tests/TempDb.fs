/// Helpers shared by the storage tests: temporary database files, byte comparison, integer boundaries.
module Foundry.Storage.Tests.TempDb

open System
open System.IO
open Foundry.Storage

/// A fresh path in a private temporary directory, removed on Dispose.
type TempPath() =
    let dir = Path.Combine(Path.GetTempPath(), "foundry-storage-tests", Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory dir |> ignore
    member _.Path = Path.Combine(dir, "test.foundry")
    interface IDisposable with
        member _.Dispose() =
            try Directory.Delete(dir, true) with _ -> ()

let smallPages = PagerOptions(PageSizeBytes = 512)

let openSmall (path: string) = Pager.Open(path, smallPages)

/// Values at and next to every width boundary of the integer encodings (records and keys alike):
/// ±2^k − 1, ±2^k, ±2^k + 1 for k in 0..63, plus 0 and the extremes.
let integerBoundaries =
    [ for k in 0..63 do
          let p = if k = 63 then Int64.MinValue else 1L <<< k
          for v in [ p - 1L; p; p + 1L ] do
              yield v
              yield -v ]
    @ [ 0L; Int64.MinValue; Int64.MaxValue ]
    |> List.distinct

/// Ordinal byte comparison (memcmp, then length), as the B+Tree orders keys.
let compareBytes (a: byte[]) (b: byte[]) =
    let n = min a.Length b.Length
    let mutable i = 0
    while i < n && a.[i] = b.[i] do
        i <- i + 1
    if i < n then compare a.[i] b.[i] else compare a.Length b.Length

/// Every (key, value) of the tree in cursor order.
let scan (tree: BTree) =
    use c = tree.OpenCursor()
    let items = ResizeArray()
    let mutable ok = c.First()
    while ok do
        items.Add((c.Key.ToArray(), c.Value.ToArray()))
        ok <- c.Next()
    List.ofSeq items

/// Flips one byte of a file at an absolute offset.
let flipByte (path: string) (offset: int64) =
    use fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)
    fs.Position <- offset
    let b = fs.ReadByte()
    fs.Position <- offset
    fs.WriteByte(byte (b ^^^ 0x5A))
