/// A corrupt tree whose pages are all individually well-formed (a cycle of interior pages, a cycle of
/// leaf sibling links) must give errors, never a hang: Validate reports it, and searches and scans stop
/// with a StorageException.
module Foundry.Storage.Tests.BTreeCorruptionTests

open System
open System.Buffers.Binary
open Xunit
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

let private key (i: int) = KeyWriter().WriteInt64(int64 i).ToArray()
let private value (i: int) = Array.create 40 (byte i)

/// Offset of a node's link field: the rightmost child of an interior node, the right sibling of a leaf.
let private linkOffset = 28

let private buildTree (pager: Pager) =
    let tree = BTree(pager, BTree.Create pager)
    for k in 0 .. 3000 do tree.Insert(ReadOnlySpan(key k), ReadOnlySpan(value k)) |> ignore
    Assert.True(tree.Depth >= 3, sprintf "depth %d" tree.Depth)
    tree

let private setLink (pager: Pager) (pageId: uint32) (target: uint32) =
    use page = pager.Get pageId
    page.MarkDirty()
    BinaryPrimitives.WriteUInt32LittleEndian(page.Span.Slice linkOffset, target)

[<Fact>]
let ``BT1 a cycle of interior pages is reported by Validate, and searches stop with an error instead of looping`` () =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 512))
    let tree = buildTree pager
    setLink pager tree.RootPageId tree.RootPageId // the root's rightmost child is the root itself
    Assert.NotEmpty(tree.Validate())
    let ex = Assert.Throws<StorageException>(fun () -> tree.TryGet(ReadOnlySpan(key 3000)) |> ignore)
    Assert.Contains("cycle", ex.Message)
    Assert.Throws<StorageException>(fun () -> tree.Upsert(ReadOnlySpan(key 5000), ReadOnlySpan(value 1))) |> ignore
    use cursor = tree.OpenCursor()
    Assert.Throws<StorageException>(fun () -> cursor.Last() |> ignore) |> ignore

[<Fact>]
let ``BT6 a cycle of leaf sibling links is reported by Validate, and a scan stops with an error instead of looping`` () =
    use tmp = new TempPath()
    use pager = Pager.Open(tmp.Path, PagerOptions(PageSizeBytes = 512))
    let tree = buildTree pager
    // The tree's leaves, found by reading every page: the first is the one no other leaf links to.
    let links =
        [ for id in 1u .. pager.PageCount - 1u do
            if id <> pager.CatalogRootPageId then
                use page = pager.Get id
                if page.PageType = PageType.BTreeLeaf then
                    yield id, BinaryPrimitives.ReadUInt32LittleEndian(page.Span.Slice linkOffset) ]
    let targets = links |> List.map snd |> Set.ofList
    let first = links |> List.map fst |> List.find (fun id -> not (targets.Contains id))
    let next = links |> List.find (fun (id, _) -> id = first) |> snd
    Assert.NotEqual(0u, next)
    setLink pager next first
    Assert.NotEmpty(tree.Validate())
    use cursor = tree.OpenCursor()
    let scan () =
        let mutable ok = cursor.First()
        while ok do ok <- cursor.Next()
    let ex = Assert.Throws<StorageException>(scan)
    Assert.Contains("cycle", ex.Message)
