/// Pager: formatting, header validation, checksums, rollback, free list, file lock, cache.
module Foundry.Storage.Tests.PagerTests

open System
open System.IO
open System.Text
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

let private bytes (s: string) = Encoding.UTF8.GetBytes s

let private key (i: int) = KeyWriter().WriteInt64(int64 i).ToArray()

let private fill (tree: BTree) (n: int) =
    for i in 0 .. n - 1 do
        Assert.True(tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(bytes (sprintf "value-%d" i))))

[<Fact>]
let ``a new file is formatted with a header page and an empty catalog tree`` () =
    use tmp = new TempPath()
    do
        use pager = openSmall tmp.Path
        Assert.Equal(512, pager.PageSizeBytes)
        Assert.Equal(2u, pager.PageCount)
        Assert.Equal(1u, pager.CatalogRootPageId)
        Assert.Equal(0L, BTree(pager, pager.CatalogRootPageId).CountEntries())
    // PG7: the header page and the catalog root, then one growth step of zeros reserved for new pages.
    Assert.Equal(int64 (2 + Pager.MinFileGrowthBytes / 512) * 512L, FileInfo(tmp.Path).Length)
    // Reopening with other options keeps the file's page size.
    use pager = Pager.Open(tmp.Path)
    Assert.Equal(512, pager.PageSizeBytes)
    Assert.Equal(1u, pager.CatalogRootPageId)

[<Fact>]
let ``rollback discards changes and restores the header state`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let tree = BTree(pager, pager.CatalogRootPageId)
    fill tree 20
    pager.Commit()
    let committed = scan tree
    let pages = pager.PageCount
    for i in 20 .. 300 do
        tree.Insert(ReadOnlySpan(key i), ReadOnlySpan(bytes "x")) |> ignore
    tree.Delete(ReadOnlySpan(key 3)) |> ignore
    Assert.True(pager.PageCount > pages)
    pager.Rollback()
    Assert.Equal(pages, pager.PageCount)
    Assert.False(pager.HasUncommittedChanges)
    Assert.Equal<(byte[] * byte[]) list>(committed, scan tree)
    Assert.Empty(tree.Validate())

[<Fact>]
let ``dispose without commit rolls back`` () =
    use tmp = new TempPath()
    do
        use pager = openSmall tmp.Path
        fill (BTree(pager, pager.CatalogRootPageId)) 50
    use pager = openSmall tmp.Path
    Assert.Equal(0L, BTree(pager, pager.CatalogRootPageId).CountEntries())
    Assert.Equal(2u, pager.PageCount)

[<Fact>]
let ``bad magic gives a clear error`` () =
    use tmp = new TempPath()
    File.WriteAllBytes(tmp.Path, Array.init 8192 byte)
    let ex = Assert.Throws<StorageException>(fun () -> Pager.Open(tmp.Path) |> ignore)
    Assert.Contains("not a Foundry database", ex.Message)
    Assert.Contains("bad magic", ex.Message)

[<Fact>]
let ``a short file gives a clear error`` () =
    use tmp = new TempPath()
    File.WriteAllBytes(tmp.Path, bytes "hello")
    let ex = Assert.Throws<StorageException>(fun () -> Pager.Open(tmp.Path) |> ignore)
    Assert.Contains("not a Foundry database", ex.Message)

[<Fact>]
let ``a corrupted header page gives CorruptPageException for page 0`` () =
    use tmp = new TempPath()
    do
        use pager = openSmall tmp.Path
        ()
    flipByte tmp.Path 100L // inside the reserved area of the header
    let ex = Assert.Throws<CorruptPageException>(fun () -> Pager.Open(tmp.Path) |> ignore)
    Assert.Equal(0u, ex.PageId)
    Assert.Contains("checksum mismatch", ex.Message)

[<Fact>]
let ``an unsupported format version gives a clear error`` () =
    use tmp = new TempPath()
    do
        use pager = openSmall tmp.Path
        ()
    flipByte tmp.Path (int64 FileHeaderPage.FileFormatVersionOffset)
    let ex = Assert.Throws<StorageException>(fun () -> Pager.Open(tmp.Path) |> ignore)
    Assert.Contains("format version", ex.Message)

[<Fact>]
let ``flipping a byte in a committed page gives CorruptPageException on read`` () =
    use tmp = new TempPath()
    let mutable victim = 0u
    do
        use pager = openSmall tmp.Path
        let tree = BTree(pager, pager.CatalogRootPageId)
        fill tree 200
        pager.Commit()
        use c = tree.OpenCursor()
        Assert.True(c.Seek(ReadOnlySpan(key 150)))
        victim <- pager.PageCount - 1u
    flipByte tmp.Path (int64 victim * 512L + 300L)
    use pager = openSmall tmp.Path
    let ex = Assert.Throws<CorruptPageException>(fun () -> pager.Get(victim).Dispose())
    Assert.Equal(victim, ex.PageId)
    Assert.NotEqual(ex.ExpectedChecksum, ex.FoundChecksum)
    Assert.Contains(sprintf "page %d" victim, ex.Message)
    // The tree reports the damage instead of returning wrong data.
    let tree = BTree(pager, pager.CatalogRootPageId)
    Assert.ThrowsAny<StorageException>(fun () -> scan tree |> ignore) |> ignore

[<Fact>]
let ``free list reuse: dropping a tree and building another does not grow the file`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let root = BTree.Create pager
    fill (BTree(pager, root)) 300
    pager.Commit()
    let pages = pager.PageCount
    let length = FileInfo(tmp.Path).Length
    let tree = BTree(pager, root)
    let used = int64 pages - 2L // minus header and catalog
    tree.Drop()
    Assert.Equal(uint32 used, pager.FreePageCount)
    Assert.Empty(pager.Validate())
    pager.Commit()
    let root2 = BTree.Create pager
    fill (BTree(pager, root2)) 300
    pager.Commit()
    Assert.Equal(pages, pager.PageCount)
    Assert.Equal(length, FileInfo(tmp.Path).Length)
    Assert.Equal(300L, BTree(pager, root2).CountEntries())
    Assert.Empty(pager.Validate())
    Assert.Empty(BTree(pager, root2).Validate())

[<Fact>]
let ``allocate reuses freed pages zeroed and free rejects double free`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let id =
        use p = pager.Allocate()
        p.Buffer.[100] <- 42uy
        p.MarkDirty()
        p.PageId
    pager.Free id
    Assert.Throws<StorageException>(fun () -> pager.Free id) |> ignore
    use again = pager.Allocate()
    Assert.Equal(id, again.PageId)
    Assert.All(again.Buffer, fun b -> Assert.Equal(0uy, b))
    Assert.Equal(0u, pager.FreePageCount)

[<Fact>]
let ``a second open of the same file reports the database is locked`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let ex = Assert.Throws<StorageException>(fun () -> Pager.Open(tmp.Path) |> ignore)
    Assert.Contains("database is locked", ex.Message)

[<Fact>]
let ``page 0 and pages past the end are not readable through Get`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    Assert.Throws<StorageException>(fun () -> pager.Get(0u).Dispose()) |> ignore
    let ex = Assert.Throws<StorageException>(fun () -> pager.Get(99u).Dispose())
    Assert.Contains("out of range", ex.Message)

[<Fact>]
let ``unpinned frames are evicted beyond CacheFrames, dirty ones after their WAL image (steal)`` () =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 512, CacheFrames = 8))
    let tree = BTree(pager, pager.CatalogRootPageId)
    fill tree 500
    // Before commit dirty pages are stolen (written back after their log image) rather than kept.
    Assert.True(pager.CachedFrameCount <= 8, sprintf "cached %d" pager.CachedFrameCount)
    Assert.Equal(500, (scan tree).Length)
    pager.Commit()
    Assert.True(pager.CachedFrameCount <= 8, sprintf "cached %d" pager.CachedFrameCount)
    // Reading everything back through a small cache still works.
    Assert.Equal(500, (scan tree).Length)
    Assert.True(pager.CachedFrameCount <= 8)
    Assert.Empty(tree.Validate())

[<Fact>]
let ``pager validate reports a broken free list citing FL1`` () =
    use tmp = new TempPath()
    use pager = openSmall tmp.Path
    let id =
        use p = pager.Allocate()
        p.PageId
    pager.Free id
    Assert.Empty(pager.Validate())
    do
        use p = pager.Get id
        p.Buffer.[12] <- byte PageType.BTreeLeaf // no longer marked free
        p.MarkDirty()
    let errors = pager.Validate()
    Assert.Single(errors) |> ignore
    Assert.StartsWith("FL1", errors.[0])
