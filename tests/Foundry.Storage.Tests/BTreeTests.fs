/// B+Tree unit tests: edge cases, splits, cursor semantics, entry limit.
module Foundry.Storage.Tests.BTreeTests

open System
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

/// A 9-byte key for every i in [0, 2^56): an INTEGER key takes a tag plus the fewest bytes, so offsetting
/// by 2^56 keeps the payload at 8 bytes and the entry-size arithmetic below exact.
let private key (i: int) = KeyWriter().WriteInt64(int64 i + (1L <<< 56)).ToArray()
let private value (i: int) = RecordWriter().Begin(2).WriteInt64(int64 i).WriteText(sprintf "row %d" i).ToArray()

let private withTree (f: Pager -> BTree -> unit) =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    f pager (BTree(pager, BTree.Create pager))

[<Fact>]
let ``empty tree: lookups miss, cursor is empty, validates`` () =
    withTree (fun _ tree ->
        let ok, _ = tree.TryGet(ReadOnlySpan(key 1))
        Assert.False ok
        use c = tree.OpenCursor()
        Assert.False(c.First())
        Assert.False(c.Seek(ReadOnlySpan(key 1)))
        Assert.False(c.IsValid)
        Assert.False(tree.Delete(ReadOnlySpan(key 1)))
        Assert.Equal(1, tree.Depth)
        Assert.Empty(tree.Validate()))

[<Fact>]
let ``insert rejects duplicates and upsert replaces`` () =
    withTree (fun _ tree ->
        Assert.True(tree.Insert(ReadOnlySpan(key 1), ReadOnlySpan("a"B)))
        Assert.False(tree.Insert(ReadOnlySpan(key 1), ReadOnlySpan("b"B)))
        let _, v = tree.TryGet(ReadOnlySpan(key 1))
        Assert.Equal<byte[]>("a"B, v)
        tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan("longer value"B))
        let _, v = tree.TryGet(ReadOnlySpan(key 1))
        Assert.Equal<byte[]>("longer value"B, v)
        Assert.Equal(1L, tree.CountEntries()))

[<Fact>]
let ``root splits keep the root page id and grow the depth`` () =
    withTree (fun pager tree ->
        let root = tree.RootPageId
        let rng = Random(7)
        let ids = Array.init 3000 id |> Array.sortBy (fun _ -> rng.Next())
        for i in ids do
            Assert.True(tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(value i)))
        Assert.Equal(root, tree.RootPageId)
        Assert.True(tree.Depth >= 3, sprintf "depth %d" tree.Depth)
        Assert.Empty(tree.Validate())
        Assert.Equal(3000L, tree.CountEntries())
        let keys = scan tree |> List.map fst
        Assert.Equal<byte[] list>([ for i in 0 .. 2999 -> key i ], keys)
        for i in ids |> Array.take 1500 do
            Assert.True(tree.Delete(ReadOnlySpan(key i)))
        Assert.Empty(tree.Validate())
        Assert.Equal(1500L, tree.CountEntries())
        pager.Commit()
        let reopened = BTree(pager, root)
        Assert.Empty(reopened.Validate()))

[<Fact>]
let ``cursor seek finds the first key at or after the target, across emptied leaves`` () =
    withTree (fun _ tree ->
        for i in 0 .. 399 do
            tree.Insert(ReadOnlySpan(key (2 * i)), ReadOnlySpan(value i)) |> ignore
        // Empty a run of leaves in the middle.
        for i in 100 .. 299 do
            tree.Delete(ReadOnlySpan(key (2 * i))) |> ignore
        use c = tree.OpenCursor()
        Assert.True(c.Seek(ReadOnlySpan(key 201)))
        Assert.Equal<byte[]>(key 600, c.Key.ToArray())
        // The zero-copy accessors agree with the spans.
        Assert.Equal(600L / 2L, RecordReader.GetInt64(c.CurrentBuffer, c.ValueOffset, 0))
        Assert.Equal<byte[]>(c.Key.ToArray(), c.CurrentBuffer.AsSpan(c.KeyOffset, c.KeyLength).ToArray())
        Assert.Equal(c.Value.Length, c.ValueLength)
        Assert.True(c.Next())
        Assert.Equal<byte[]>(key 602, c.Key.ToArray())
        Assert.True(c.Seek(ReadOnlySpan(key 798)))
        Assert.False(c.Next())
        Assert.False(c.IsValid)
        Assert.Throws<InvalidOperationException>(fun () -> c.CurrentBuffer |> ignore) |> ignore
        Assert.False(c.Seek(ReadOnlySpan(key 799))))

[<Fact>]
let ``BT8 keys longer than MaxKeyBytes are rejected and change nothing`` () =
    withTree (fun _ tree ->
        Assert.Equal((512 - 32) / 4 - 8, tree.MaxKeyBytes)
        Assert.True(tree.Insert(ReadOnlySpan(Array.create tree.MaxKeyBytes 1uy), ReadOnlySpan(Array.create 10 2uy)))
        let ex = Assert.Throws<StorageException>(fun () -> tree.Insert(ReadOnlySpan(Array.create (tree.MaxKeyBytes + 1) 3uy), ReadOnlySpan<byte>.Empty) |> ignore)
        Assert.Contains("too large", ex.Message)
        Assert.Equal(1L, tree.CountEntries()))

[<Fact>]
let ``pages exactly full then split with maximal entries`` () =
    withTree (fun _ tree ->
        let limit = tree.MaxEntryBytes
        for i in 0 .. 40 do
            let k = Array.append (key i) (Array.create (limit / 2 - 9) 0uy)
            Assert.True(k.Length <= tree.MaxKeyBytes)
            Assert.True(tree.Insert(ReadOnlySpan(k), ReadOnlySpan(Array.create (limit - k.Length) (byte i))))
        Assert.Empty(tree.Validate())
        Assert.Equal(41L, tree.CountEntries()))

[<Fact>]
let ``empty keys and values are allowed`` () =
    withTree (fun _ tree ->
        Assert.True(tree.Insert(ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty))
        let ok, v = tree.TryGet(ReadOnlySpan<byte>.Empty)
        Assert.True ok
        Assert.Empty v
        use c = tree.OpenCursor()
        Assert.True(c.First())
        Assert.Equal(0, c.KeyLength))

[<Fact>]
let ``validate reports a broken key order citing BT3`` () =
    withTree (fun pager tree ->
        tree.Insert(ReadOnlySpan("a"B), ReadOnlySpan("1"B)) |> ignore
        tree.Insert(ReadOnlySpan("b"B), ReadOnlySpan("2"B)) |> ignore
        do
            use page = pager.Get(tree.RootPageId)
            // Swap the two slot offsets (slot array at byte 32).
            let b = page.Buffer
            let s0, s1 = (b.[32], b.[33]), (b.[34], b.[35])
            b.[32] <- fst s1; b.[33] <- snd s1; b.[34] <- fst s0; b.[35] <- snd s0
            page.MarkDirty()
        let errors = tree.Validate()
        Assert.NotEmpty errors
        Assert.StartsWith("BT3", errors.[0]))

[<Fact>]
let ``drop frees the root too`` () =
    withTree (fun pager tree ->
        let before = pager.FreePageCount
        tree.Drop()
        Assert.Equal(before + 1u, pager.FreePageCount)
        Assert.Throws<InvalidOperationException>(fun () -> tree.CountEntries() |> ignore) |> ignore)

let private shuffled (seed: int) (xs: int[]) =
    let rng = Random(seed)
    xs |> Array.sortBy (fun _ -> rng.Next())

/// BulkLoad takes C# value tuples.
let private bulk (entries: (byte[] * byte[]) list) = entries |> Seq.map (fun (k, v) -> struct (k, v))

let private fileErrors (pager: Pager) (roots: uint32 list) = pager.Validate(ResizeArray roots)

[<Fact>]
let ``BT7 filled then emptied: merges return every page but the root to the free list, refill reuses them`` () =
    withTree (fun pager tree ->
        let ids = shuffled 11 (Array.init 3000 id)
        for i in ids do
            tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(value i)) |> ignore
        pager.Commit()
        let pages = pager.PageCount
        let freeBefore = pager.FreePageCount
        let treePages = int pages - 2 - int freeBefore // minus header and catalog
        Assert.True(treePages > 50, sprintf "only %d pages" treePages)
        for (n, i) in shuffled 12 ids |> Array.indexed do
            Assert.True(tree.Delete(ReadOnlySpan(key i)))
            if n % 500 = 0 then Assert.Empty(tree.Validate())
        Assert.Equal(0L, tree.CountEntries())
        Assert.Equal(1, tree.Depth)
        Assert.Empty(tree.Validate())
        Assert.Equal(uint32 (treePages - 1) + freeBefore, pager.FreePageCount)
        Assert.Empty(fileErrors pager [ tree.RootPageId ])
        pager.Commit()
        for i in ids do
            tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(value i)) |> ignore
        Assert.Equal(pages, pager.PageCount)
        Assert.Empty(fileErrors pager [ tree.RootPageId ]))

[<Fact>]
let ``BT7 upserting smaller values merges underfull leaves`` () =
    withTree (fun _ tree ->
        for i in 0 .. 599 do
            tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(Array.create 80 1uy)) |> ignore
        let leavesBefore = tree.Depth
        for i in 0 .. 599 do
            tree.Upsert(ReadOnlySpan(key i), ReadOnlySpan [| 2uy |])
        Assert.Empty(tree.Validate())
        Assert.True(tree.Depth <= leavesBefore)
        Assert.Equal(600L, tree.CountEntries()))

[<Fact>]
let ``BT11 pager validate reports a leaked page and a page both free and live`` () =
    withTree (fun pager tree ->
        for i in 0 .. 299 do
            tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(value i)) |> ignore
        Assert.Empty(fileErrors pager [ tree.RootPageId ])
        // Without the tree's root its pages look leaked.
        let leaked = fileErrors pager []
        Assert.NotEmpty leaked
        Assert.All(leaked, fun e -> Assert.StartsWith("BT11", e))
        // A page freed while the tree still points at it is both live and free. The tree owns every page
        // after its root (nothing was freed), so the last page of the file is one of its nodes.
        Assert.Equal(0u, pager.FreePageCount)
        let victim = pager.PageCount - 1u
        pager.Free victim
        let errors = fileErrors pager [ tree.RootPageId ]
        Assert.Contains(errors, fun e -> e.StartsWith("BT11") && e.Contains(sprintf "page %d" victim)))

[<Fact>]
let ``cursor Last and Previous walk the tree backwards, across leaves`` () =
    withTree (fun _ tree ->
        for i in shuffled 3 (Array.init 1000 id) do
            tree.Insert(ReadOnlySpan(key (2 * i)), ReadOnlySpan(value i)) |> ignore
        for i in 100 .. 399 do
            tree.Delete(ReadOnlySpan(key (2 * i))) |> ignore
        let forward = scan tree |> List.map fst
        use c = tree.OpenCursor()
        let back = ResizeArray()
        let mutable ok = c.Last()
        while ok do
            back.Add(c.Key.ToArray())
            ok <- c.Previous()
        Assert.False(c.IsValid)
        Assert.Equal<byte[] list>(List.rev forward, List.ofSeq back)
        // Seek helpers, including bounds between keys and at both ends.
        Assert.True(c.SeekLastBefore(ReadOnlySpan(key 801)))
        Assert.Equal<byte[]>(key 800, c.Key.ToArray())
        Assert.True(c.SeekLastBefore(ReadOnlySpan(key 800)))
        Assert.Equal<byte[]>(key 198, c.Key.ToArray()) // 200 .. 798 were deleted
        Assert.True(c.SeekLastAtOrBefore(ReadOnlySpan(key 800)))
        Assert.Equal<byte[]>(key 800, c.Key.ToArray())
        Assert.True(c.Next())
        Assert.Equal<byte[]>(key 802, c.Key.ToArray())
        Assert.True(c.Previous())
        Assert.True(c.Previous())
        Assert.Equal<byte[]>(key 198, c.Key.ToArray())
        Assert.False(c.SeekLastBefore(ReadOnlySpan(key 0)))
        Assert.True(c.SeekLastAtOrBefore(ReadOnlySpan(key 0)))
        Assert.False(c.Previous())
        Assert.True(c.SeekLastBefore(ReadOnlySpan [| 0xFFuy |]))
        Assert.Equal<byte[]>(key 1998, c.Key.ToArray()))

[<Fact>]
let ``cursor Last on an empty tree is false`` () =
    withTree (fun _ tree ->
        use c = tree.OpenCursor()
        Assert.False(c.Last())
        Assert.False(c.Previous())
        Assert.False(c.SeekLastAtOrBefore(ReadOnlySpan(key 5))))

[<Theory>]
[<InlineData(0)>]
[<InlineData(1)>]
[<InlineData(17)>]
[<InlineData(20)>]
[<InlineData(21)>]
[<InlineData(5000)>]
let ``BulkLoad builds a valid tree of full leaves from sorted input`` (n: int) =
    withTree (fun pager tree ->
        let entries = [ for i in 0 .. n - 1 -> key i, value i ]
        Assert.Equal(int64 n, tree.BulkLoad(bulk entries))
        Assert.Empty(tree.Validate())
        Assert.Empty(fileErrors pager [ tree.RootPageId ])
        Assert.Equal<(byte[] * byte[]) list>(entries, scan tree)
        let bulkPages = pager.PageCount - pager.FreePageCount
        // The same entries inserted in order use at least as many pages: append splits fill leaves as the
        // bulk load does, and an interior node split on append gives up one key more than it could hold.
        let other = BTree(pager, BTree.Create pager)
        for k, v in entries do other.Insert(ReadOnlySpan k, ReadOnlySpan v) |> ignore
        let insertPages = pager.PageCount - pager.FreePageCount - bulkPages
        Assert.True(bulkPages - 2u <= insertPages, sprintf "bulk %d pages, inserts %d" (bulkPages - 2u) insertPages)
        // The loaded tree keeps working.
        for i in 0 .. 2 .. n - 1 do
            Assert.True(tree.Delete(ReadOnlySpan(key i)))
        tree.Insert(ReadOnlySpan(key (n + 1)), ReadOnlySpan(value 0)) |> ignore
        Assert.Empty(tree.Validate()))

[<Fact>]
let ``BulkLoad rejects unsorted or duplicate input clearly and leaves the tree empty`` () =
    withTree (fun pager tree ->
        let entries = [ for i in 0 .. 999 -> key i, value i ] @ [ key 500, value 0 ]
        let ex = Assert.Throws<StorageException>(fun () -> tree.BulkLoad(bulk entries) |> ignore)
        Assert.Contains("not sorted", ex.Message)
        Assert.Contains("entry 1000", ex.Message)
        Assert.Equal(0L, tree.CountEntries())
        Assert.Empty(tree.Validate())
        Assert.Empty(fileErrors pager [ tree.RootPageId ])
        let dup = [ key 1, value 1; key 1, value 2 ]
        Assert.Throws<StorageException>(fun () -> tree.BulkLoad(bulk dup) |> ignore) |> ignore
        tree.Insert(ReadOnlySpan(key 1), ReadOnlySpan(value 1)) |> ignore
        Assert.Throws<InvalidOperationException>(fun () -> tree.BulkLoad(bulk [ key 2, value 2 ]) |> ignore) |> ignore)

let private bigValue (n: int) (seed: int) =
    let v = Array.zeroCreate<byte> n
    Random(seed).NextBytes v
    v

[<Fact>]
let ``BT12 a 16 MiB + 1 byte value goes to overflow pages, reads back whole, and its chain is freed on delete`` () =
    use tmp = new TempPath()
    let big = bigValue (16 * 1024 * 1024 + 1) 5
    let mutable root = 0u
    do
        use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 8192, CacheFrames = 64))
        let tree = BTree(pager, BTree.Create pager)
        root <- tree.RootPageId
        Assert.True(tree.Insert(ReadOnlySpan(key 1), ReadOnlySpan big))
        Assert.True(tree.Insert(ReadOnlySpan(key 2), ReadOnlySpan(value 2)))
        Assert.Empty(pager.Validate(ResizeArray [ root ]))
        Assert.True(pager.PageCount > 2048u)
        pager.Commit()
    use pager = Pager.Open(tmp.Path, PagerOptions(CacheFrames = 64))
    let tree = BTree(pager, root)
    let ok, v = tree.TryGet(ReadOnlySpan(key 1))
    Assert.True ok
    Assert.True((big = v), "value differs after reopen")
    use c = tree.OpenCursor()
    Assert.True(c.First())
    Assert.True(c.ValueIsInOverflow)
    Assert.Equal(big.Length, c.ValueLength)
    Assert.True(c.CurrentBuffer.AsSpan(c.ValueOffset, c.ValueLength).SequenceEqual(ReadOnlySpan big))
    Assert.True(c.CurrentBuffer.AsSpan(c.KeyOffset, c.KeyLength).SequenceEqual(ReadOnlySpan(key 1)))
    Assert.True(c.Next())
    Assert.False(c.ValueIsInOverflow)
    c.Dispose()
    Assert.True(pager.AllocatedFrameCount <= 64, "reading a large value stays within the pool")
    let free = pager.FreePageCount
    Assert.True(tree.Delete(ReadOnlySpan(key 1)))
    let chainPages = (big.Length - (tree.MaxEntryBytes - 9 - 8) + 8167) / 8168
    Assert.Equal(free + uint32 chainPages, pager.FreePageCount)
    Assert.Empty(pager.Validate(ResizeArray [ root ]))

[<Fact>]
let ``overflow: replacing a large value frees the old chain, and generated-code reads see a contiguous record`` () =
    withTree (fun pager tree ->
        let text = String('x', 3000) + "end"
        let record = RecordWriter().Begin(3).WriteInt64(42L).WriteText(text).WriteInt64(-7L).ToArray()
        Assert.True(tree.Insert(ReadOnlySpan(key 1), ReadOnlySpan record))
        let pagesAfterFirst = pager.PageCount
        do
            use c = tree.OpenCursor()
            Assert.True(c.Seek(ReadOnlySpan(key 1)))
            Assert.Equal(42L, RecordReader.GetInt64(c.CurrentBuffer, c.ValueOffset, 0))
            Assert.Equal(text, RecordReader.GetText(c.CurrentBuffer, c.ValueOffset, 1))
            Assert.Equal(-7L, RecordReader.GetInt64(c.CurrentBuffer, c.ValueOffset, 2))
        // Replace with another large value: the old chain is reused through the free list.
        tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan(bigValue 3000 1))
        Assert.Equal(pagesAfterFirst, pager.PageCount)
        tree.Upsert(ReadOnlySpan(key 1), ReadOnlySpan [| 1uy |])
        Assert.True(pager.FreePageCount >= 6u)
        Assert.Empty(pager.Validate(ResizeArray [ tree.RootPageId ]))
        let _, v = tree.TryGet(ReadOnlySpan(key 1))
        Assert.Equal<byte[]>([| 1uy |], v))

[<Fact>]
let ``overflow boundary: key plus value at the limit stays inline, one byte more overflows; merges keep chains`` () =
    withTree (fun pager tree ->
        let limit = tree.MaxEntryBytes
        for i in 0 .. 199 do
            let len = if i % 2 = 0 then limit - 9 else limit - 8 + i
            Assert.True(tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(bigValue len i)))
        use c = tree.OpenCursor()
        Assert.True(c.Seek(ReadOnlySpan(key 0)))
        Assert.False(c.ValueIsInOverflow)
        Assert.True(c.Next())
        Assert.True(c.ValueIsInOverflow)
        c.Dispose()
        for i in 0 .. 3 .. 199 do
            Assert.True(tree.Delete(ReadOnlySpan(key i)))
        Assert.Empty(pager.Validate(ResizeArray [ tree.RootPageId ]))
        for i in 0 .. 199 do
            let ok, v = tree.TryGet(ReadOnlySpan(key i))
            Assert.Equal(i % 3 <> 0, ok)
            if ok then Assert.Equal<byte[]>(bigValue (if i % 2 = 0 then limit - 9 else limit - 8 + i) i, v)
        tree.Drop()
        Assert.Equal(pager.PageCount - 2u, pager.FreePageCount))
