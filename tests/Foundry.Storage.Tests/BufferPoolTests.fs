/// Buffer pool: LRU-K(2) eviction order and scan resistance, pin protection, exhaustion error,
/// memory bound for read-only work, no-steal growth for dirty pages, stale refs after rollback.
module Foundry.Storage.Tests.BufferPoolTests

open System
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

let private openPool (path: string) frames = Pager.Open(path, PagerOptions(PageSizeBytes = 512, CacheFrames = frames))

/// Allocates n committed pages whose byte 100 holds (page id mod 256); returns their ids.
let private makePages (pager: Pager) n =
    let ids =
        [ for _ in 1 .. n do
              use p = pager.Allocate()
              p.Buffer.[100] <- byte p.PageId
              yield p.PageId ]
    pager.Commit()
    ids

let private touch (pager: Pager) (id: uint32) =
    use p = pager.Get id
    Assert.Equal(byte id, p.Buffer.[100])

[<Fact>]
let ``BP LRU-K: a sequential scan does not flush a page referenced twice`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let ids = makePages pager 60
    let hot = ids.[0]
    touch pager hot
    touch pager hot
    for id in ids.[1..] do
        touch pager id
    Assert.True(pager.IsCached hot, "the hot page was flushed by the scan")
    // The scan did evict its own early pages: plain LRU would have evicted the hot page first.
    Assert.False(pager.IsCached ids.[1])
    let reads = pager.PageReads
    touch pager hot
    Assert.Equal(reads, pager.PageReads)
    Assert.True(pager.AllocatedFrameCount <= 8)

[<Fact>]
let ``BP LRU-K: once-referenced pages go first, oldest first; then the oldest second-to-last reference`` () =
    use tmp = new TempPath()
    let ids =
        use pager = openPool tmp.Path 8
        makePages pager 12 |> Array.ofList
    // A fresh pager: empty pool, no reference history.
    use pager = openPool tmp.Path 8
    let a = ids.[0 .. 7]
    for id in a do touch pager id
    for id in a do Assert.True(pager.IsCached id)
    touch pager a.[0]
    touch pager a.[1] // a0, a1 now have two references
    touch pager ids.[8] // evicts the oldest once-referenced page: a2
    Assert.False(pager.IsCached a.[2])
    Assert.True(pager.IsCached a.[0] && pager.IsCached a.[1] && pager.IsCached a.[3])
    touch pager ids.[9] // then a3
    Assert.False(pager.IsCached a.[3])
    // Make every resident page hot, then the victim is the one with the oldest second-to-last reference.
    for id in [ a.[4]; a.[5]; a.[6]; a.[7]; ids.[8]; ids.[9] ] do touch pager id
    // Penultimate references now: a0, a1 (first pass) are oldest, a0 older than a1.
    touch pager ids.[10]
    Assert.False(pager.IsCached a.[0])
    Assert.True(pager.IsCached a.[1])
    touch pager ids.[11] // the only once-referenced page is now ids10, so it goes before any hot page
    Assert.False(pager.IsCached ids.[10])
    Assert.True(pager.IsCached a.[1])
    touch pager ids.[11] // ids11 is hot now; next victim is a1, the oldest HIST(2)
    touch pager ids.[10]
    Assert.False(pager.IsCached a.[1])

[<Fact>]
let ``BP1 pinned pages are never evicted and keep their bytes`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let ids = makePages pager 40
    let pinned = [ for id in ids.[0..6] -> pager.Get id ]
    try
        for _ in 1 .. 3 do
            for id in ids.[7..] do
                touch pager id
        for p in pinned do
            Assert.True(pager.IsCached p.PageId)
            Assert.Equal(byte p.PageId, p.Buffer.[100])
        Assert.Equal(7, pager.PinnedFrameCount)
    finally
        for p in pinned do p.Dispose()
    Assert.Equal(0, pager.PinnedFrameCount)

[<Fact>]
let ``BP4 every frame pinned: Get and Allocate fail with a clear error instead of hanging`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let ids = makePages pager 10
    let pinned = ResizeArray [ for id in ids.[0..7] -> pager.Get id ]
    let ex = Assert.Throws<StorageException>(fun () -> pager.Get(ids.[8]).Dispose())
    Assert.Contains("buffer pool exhausted: all 8 frames are pinned", ex.Message)
    let ex2 = Assert.Throws<StorageException>(fun () -> pager.Allocate().Dispose())
    Assert.Contains("buffer pool exhausted", ex2.Message)
    Assert.False(pager.HasUncommittedChanges) // the failed Allocate changed nothing
    // A page that is already resident can still be pinned again.
    touch pager ids.[0]
    pinned.[0].Dispose()
    touch pager ids.[8]
    for p in pinned |> Seq.skip 1 do p.Dispose()

[<Fact>]
let ``BP scans and large transactions both stay within the pool (steal writes dirty pages back after their WAL image)`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let tree = BTree(pager, pager.CatalogRootPageId)
    for i in 0 .. 999 do
        tree.Insert(ReadOnlySpan(KeyWriter().WriteInt64(int64 i).ToArray()), ReadOnlySpan(Array.create 20 1uy)) |> ignore
    Assert.True(pager.AllocatedFrameCount <= 8, sprintf "an uncommitted transaction used %d frames" pager.AllocatedFrameCount)
    Assert.True(pager.DirtyFrameCount <= 8)
    pager.Commit()
    Assert.True(pager.AllocatedFrameCount <= 8, sprintf "after commit %d frames" pager.AllocatedFrameCount)
    for _ in 1 .. 3 do
        Assert.Equal(1000, (scan tree).Length)
        Assert.True(pager.AllocatedFrameCount <= 8, sprintf "read-only scan used %d frames" pager.AllocatedFrameCount)
    Assert.Empty(tree.Validate())

[<Fact>]
let ``BP a page evicted and read again is re-read from the file and checksum-verified`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let ids = makePages pager 30
    for id in ids do touch pager id
    Assert.False(pager.IsCached ids.[0])
    let reads = pager.PageReads
    touch pager ids.[0]
    Assert.Equal(reads + 1L, pager.PageReads)

[<Fact>]
let ``BP rollback drops a pinned dirty page: its ref goes stale, pins stay balanced`` () =
    use tmp = new TempPath()
    use pager = openPool tmp.Path 8
    let ids = makePages pager 3
    let p = pager.Get ids.[0]
    p.MarkDirty()
    p.Buffer.[100] <- 99uy
    pager.Rollback()
    Assert.Equal(0, pager.PinnedFrameCount)
    Assert.Throws<StorageException>(fun () -> p.MarkDirty()) |> ignore
    p.Dispose() // no effect on the pool
    Assert.Equal(0, pager.PinnedFrameCount)
    touch pager ids.[0] // committed bytes come back
