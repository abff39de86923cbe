/// B+Tree unit tests: edge cases, splits, cursor semantics, entry limit.
module Foundry.Storage.Tests.BTreeTests

open System
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

let private key (i: int) = KeyWriter().WriteInt64(int64 i).ToArray()
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
let ``entries larger than a quarter page are rejected and change nothing`` () =
    withTree (fun _ tree ->
        let limit = tree.MaxEntryBytes
        Assert.Equal((512 - 16) / 4, limit)
        Assert.True(tree.Insert(ReadOnlySpan(Array.create 10 1uy), ReadOnlySpan(Array.create (limit - 10) 2uy)))
        let ex = Assert.Throws<StorageException>(fun () -> tree.Insert(ReadOnlySpan(Array.create 10 3uy), ReadOnlySpan(Array.create (limit - 9) 2uy)) |> ignore)
        Assert.Contains("too large", ex.Message)
        Assert.Contains("overflow", ex.Message)
        Assert.Equal(1L, tree.CountEntries()))

[<Fact>]
let ``pages exactly full then split with maximal entries`` () =
    withTree (fun _ tree ->
        let limit = tree.MaxEntryBytes
        for i in 0 .. 40 do
            let k = Array.append (key i) (Array.create (limit / 2 - 9) 0uy)
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
