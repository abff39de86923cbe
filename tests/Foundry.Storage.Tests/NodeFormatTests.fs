/// Exact byte layout of B+Tree cells (Node.cs, docs/storage.md "B+Tree nodes"): lengths are 1 byte below
/// 0x80 and 2 bytes (0x80 | hi, lo) from 0x80; a leaf cell is len(2·keyLength + overflow) | key |
/// len(payloadLength) | payload; an interior cell is u32 leftChild | len(keyLength) | key. Every case
/// sits on a boundary where the length field changes size.
module Foundry.Storage.Tests.NodeFormatTests

open System
open System.Buffers.Binary
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

/// Offset of the cell at slot 0 of a node page (slot array at byte 32, u16 little-endian).
let private firstCell (page: byte[]) = int (BinaryPrimitives.ReadUInt16LittleEndian(ReadOnlySpan(page, 32, 2)))

/// The bytes of slot 0's cell of the root after inserting one entry into an empty tree.
let private rootCellBytes (pageSize: int) (key: byte[]) (value: byte[]) (count: int) =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = pageSize))
    let tree = BTree(pager, BTree.Create pager)
    Assert.True(tree.Insert(ReadOnlySpan key, ReadOnlySpan value))
    Assert.Empty(pager.Validate(ResizeArray [ tree.RootPageId ]))
    let ok, back = tree.TryGet(ReadOnlySpan key)
    Assert.True ok
    Assert.Equal<byte[]>(value, back)
    use page = pager.Get tree.RootPageId
    let off = firstCell page.Buffer
    page.Buffer.[off .. off + count - 1]

[<Fact>]
let ``a small leaf cell is one length byte, key, one length byte, value`` () =
    let cell = rootCellBytes 512 [| 1uy; 2uy; 3uy |] [| 9uy; 8uy |] 7
    Assert.Equal<byte[]>([| 6uy; 1uy; 2uy; 3uy; 2uy; 9uy; 8uy |], cell)

[<Theory>]
[<InlineData(63, 1)>] // 2·63 = 126 < 0x80: one byte
[<InlineData(64, 2)>] // 2·64 = 128: two bytes
let ``leaf key length field: 63-byte keys take one byte, 64-byte keys two`` (keyLength: int, fieldBytes: int) =
    let key = Array.init keyLength byte
    let cell = rootCellBytes 512 key [| 7uy |] (fieldBytes + keyLength + 2)
    let expectedField = if fieldBytes = 1 then [| byte (2 * keyLength) |] else [| 0x80uy ||| byte ((2 * keyLength) >>> 8); byte (2 * keyLength) |]
    Assert.Equal<byte[]>(Array.concat [ expectedField; key; [| 1uy; 7uy |] ], cell)

[<Theory>]
[<InlineData(127, 1)>]
[<InlineData(128, 2)>]
let ``leaf payload length field: 127-byte payloads take one byte, 128-byte payloads two`` (valueLength: int, fieldBytes: int) =
    // 1 KiB pages: MaxEntryBytes = 252, so 128-byte values stay inline.
    let value = Array.init valueLength (fun i -> byte (i * 7))
    let cell = rootCellBytes 1024 [| 5uy |] value (2 + fieldBytes + valueLength)
    let expectedField = if fieldBytes = 1 then [| byte valueLength |] else [| 0x80uy; byte valueLength |]
    Assert.Equal<byte[]>(Array.concat [ [| 2uy; 5uy |]; expectedField; value ], cell)

[<Fact>]
let ``an overflow cell sets the low bit of the key length field and fills the entry to MaxEntryBytes`` () =
    // 512-byte pages: MaxEntryBytes = 124; key 4 + value 200 overflows, payload = 8-byte pointer + 112-byte prefix.
    let key = [| 1uy; 2uy; 3uy; 4uy |]
    let value = Array.init 200 byte
    let cell = rootCellBytes 512 key value (1 + 4 + 1 + 120)
    Assert.Equal(9uy, cell.[0]) // 2·4 + 1
    Assert.Equal<byte[]>(key, cell.[1..4])
    Assert.Equal(120uy, cell.[5]) // payload length, one byte
    Assert.Equal(200u, BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(cell, 6, 4)))
    Assert.Equal<byte[]>(value.[0..111], cell.[14..])

[<Theory>]
[<InlineData(127, 1)>]
[<InlineData(128, 2)>]
let ``interior key length field: 127-byte separators take one byte, 128-byte separators two`` (keyLength: int, fieldBytes: int) =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 1024))
    let tree = BTree(pager, BTree.Create pager)
    // Keys of exactly keyLength bytes, distinct in their last byte, until the root splits.
    let key (i: int) = Array.append (Array.create (keyLength - 1) 0x41uy) [| byte i |]
    let mutable i = 0
    while tree.Depth = 1 do
        Assert.True(tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(Array.create 20 (byte i))))
        i <- i + 1
    Assert.Empty(pager.Validate(ResizeArray [ tree.RootPageId ]))
    use page = pager.Get tree.RootPageId
    let b = page.Buffer
    Assert.Equal(PageType.BTreeInterior, page.PageType)
    let off = firstCell b
    let field = b.[off + 4 .. off + 3 + fieldBytes]
    let expectedField = if fieldBytes = 1 then [| byte keyLength |] else [| 0x80uy; byte keyLength |]
    Assert.Equal<byte[]>(expectedField, field)
    let separator = b.[off + 4 + fieldBytes .. off + 3 + fieldBytes + keyLength]
    Assert.Equal(keyLength, separator.Length)
    Assert.Equal<byte[]>(Array.create (keyLength - 1) 0x41uy, separator.[.. keyLength - 2])
    for j in 0 .. i - 1 do
        let ok, v = tree.TryGet(ReadOnlySpan(key j))
        Assert.True ok
        Assert.Equal<byte[]>(Array.create 20 (byte j), v)

[<Fact>]
let ``BT2 validate rejects a length written in the 2-byte form when one byte suffices`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let tree = BTree(pager, BTree.Create pager)
    Assert.True(tree.Insert(ReadOnlySpan [| 1uy; 2uy; 3uy |], ReadOnlySpan [| 9uy |]))
    do
        use page = pager.Get tree.RootPageId
        page.MarkDirty()
        let b = page.Buffer
        let off = firstCell b
        let cell = b.[off .. off + 5] // 06 01 02 03 01 09
        // Rewrite the cell one byte lower with its key length as 0x80 0x06, moving content start and slot with it.
        Array.blit (Array.append [| 0x80uy; 6uy |] cell.[1..]) 0 b (off - 1) 7
        BinaryPrimitives.WriteUInt16LittleEndian(Span(b, 32, 2), uint16 (off - 1))
        BinaryPrimitives.WriteUInt32LittleEndian(Span(b, 20, 4), uint32 (off - 1))
    let errors = tree.Validate()
    Assert.Contains(errors, fun e -> e.StartsWith("BT2") && e.Contains("shortest form"))
