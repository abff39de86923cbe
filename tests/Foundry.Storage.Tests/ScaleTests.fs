/// Scale: many keys in random order with deletes interleaved keep the tree balanced (BT5, BT7) and shallow.
/// 100,000 keys by default so CI stays fast; 1,000,000 when FOUNDRY_LONG_TESTS=1.
namespace Foundry.Storage.Tests

open System
open Xunit
open Xunit.Abstractions
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

type ScaleTests(output: ITestOutputHelper) =
    let longRun = Environment.GetEnvironmentVariable "FOUNDRY_LONG_TESTS" = "1"
    let count = if longRun then 1_000_000 else 100_000

    [<Fact>]
    member _.``BT5 BT7 scale: 100k keys (1M with FOUNDRY_LONG_TESTS=1) in random order with deletes interleaved stay within depth ceil(log_minFanout n) + 1`` () =
        use tmp = new TempPath()
        use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 1024, CacheFrames = 256))
        let tree = BTree(pager, BTree.Create pager)
        let rng = Random(20240601)
        let order = Array.init count id
        rng.Shuffle order
        let key (i: int) = KeyWriter().WriteInt64(int64 i).ToArray()
        let value = Array.create 8 7uy
        let present = Collections.Generic.List<int>()
        let watch = Diagnostics.Stopwatch.StartNew()
        for n in 0 .. count - 1 do
            let i = order.[n]
            Assert.True(tree.Insert(ReadOnlySpan(key i), ReadOnlySpan value))
            present.Add i
            // One delete for every three inserts, of a random present key.
            if n % 3 = 2 then
                let j = rng.Next present.Count
                Assert.True(tree.Delete(ReadOnlySpan(key present.[j])))
                present.[j] <- present.[present.Count - 1]
                present.RemoveAt(present.Count - 1)
            if n % 20_000 = 19_999 then pager.Commit()
        pager.Commit()
        let n = present.Count
        Assert.Equal(int64 n, tree.CountEntries())
        // Fewest children a non-root node can have: MinFillBytes over the largest cell plus slot used here.
        let leafCell = 4 + 9 + value.Length + 2
        let interiorCell = 6 + 9 + 2
        let minFanout = max 2 (min (tree.MinFillBytes / leafCell) (tree.MinFillBytes / interiorCell + 1))
        let bound = int (ceil (Math.Log(float n) / Math.Log(float minFanout))) + 1
        let depth = tree.Depth
        output.WriteLine(
            sprintf "%s run: %d inserts, %d deletes, %d keys left; depth %d (bound ceil(log_%d %d) + 1 = %d); %d pages, %d free; %.1f s"
                (if longRun then "long (FOUNDRY_LONG_TESTS=1)" else "default") count (count - n) n depth minFanout n bound
                pager.PageCount pager.FreePageCount watch.Elapsed.TotalSeconds)
        Assert.True(depth <= bound, sprintf "depth %d exceeds %d" depth bound)
        Assert.Empty(pager.Validate(ResizeArray [ tree.RootPageId ]))
        // Spot-check contents.
        for j in 0 .. 997 .. n - 1 do
            let ok, _ = tree.TryGet(ReadOnlySpan(key present.[j]))
            Assert.True ok
