/// Model-based property: random operation sequences against the B+Tree and an F# Map must agree,
/// with small (512-byte, and 1 KiB) pages and a tiny buffer pool (8 frames) so splits (even, append and
/// 2-into-3), shifts to siblings, merges, redistribution, overflow chains and evictions all happen often;
/// Validate() empty (BT1–BT12, including file accounting BT11), and contents surviving Commit + close +
/// reopen. Commit/Rollback are operations too, checked against a committed model. Operation lists shrink
/// by dropping operations, so a failure is reported as a short sequence (a test below checks that
/// shrinking works).
module Foundry.Storage.Tests.BTreeModelTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Storage
open Foundry.Storage.Tests.TempDb

/// Keys and values are wrapped so FsCheck prints them readably and Map can order them by bytes.
[<CustomComparison; CustomEquality>]
type Key =
    { Bytes: byte[] }
    override this.ToString() = Convert.ToHexString this.Bytes
    override this.Equals o = match o with :? Key as k -> compareBytes this.Bytes k.Bytes = 0 | _ -> false
    override this.GetHashCode() = this.Bytes.Length
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? Key as k -> compareBytes this.Bytes k.Bytes
            | _ -> invalidArg "o" "not a Key"

type Op =
    | Insert of Key * byte[]
    /// Inserts the keys of n, n + 1, … n + count - 1 in ascending order: past the largest key these are
    /// appends (the append split), inside the tree they fill leaves (shifts, 2-into-3 splits).
    | InsertRun of int * int * byte[]
    | Upsert of Key * byte[]
    | Delete of Key
    | Lookup of Key
    | ScanFrom of Key * int
    | ScanBack of Key * int
    | Commit
    | Rollback

let private keyGen =
    // Few distinct short prefixes (many collisions: duplicates, deletes of present keys) and some long keys,
    // past 64 bytes too, where a leaf key's length field takes two bytes.
    gen {
        let! n = Gen.choose (0, 600)
        let! pad = Gen.frequency [ 4, Gen.constant 0; 1, Gen.choose (1, 70) ]
        let! tail = Gen.elements [ [||]; [| 0uy |]; [| 255uy |] ]
        return { Bytes = Array.concat [ KeyWriter().WriteInt64(int64 n).ToArray(); Array.create pad 7uy; tail ] }
    }

let private valueGen =
    gen {
        // Mostly small; some near the 124-byte inline limit of 512-byte pages; a few in overflow pages.
        let! len = Gen.frequency [ 6, Gen.choose (0, 12); 2, Gen.choose (13, 60); 1, Gen.choose (61, 130); 1, Gen.choose (131, 1500) ]
        let! b = Gen.choose (0, 255)
        return Array.create len (byte b)
    }

let private runKey (n: int) = { Bytes = KeyWriter().WriteInt64(int64 n).ToArray() }

let private opGen =
    Gen.frequency
        [ 8, Gen.map2 (fun k v -> Insert(k, v)) keyGen valueGen
          1, Gen.map3 (fun n count v -> InsertRun(n, count, v)) (Gen.choose (0, 700)) (Gen.choose (1, 40)) valueGen
          3, Gen.map2 (fun k v -> Upsert(k, v)) keyGen valueGen
          4, Gen.map Delete keyGen
          3, Gen.map Lookup keyGen
          1, Gen.map2 (fun k n -> ScanFrom(k, n)) keyGen (Gen.choose (0, 30))
          1, Gen.map2 (fun k n -> ScanBack(k, n)) keyGen (Gen.choose (0, 30))
          1, Gen.constant Commit
          1, Gen.constant Rollback ]

let private opsGen =
    gen {
        let! n = Gen.choose (0, 400)
        return! Gen.listOfLength n opGen
    }

/// Shrinks an operation list by removing chunks (halves, quarters, …) and then single operations.
let shrinkOps (ops: Op list) : seq<Op list> =
    let arr = List.toArray ops
    let n = arr.Length
    seq {
        let mutable chunk = n / 2
        while chunk >= 1 do
            for start in 0 .. chunk .. n - chunk do
                yield List.ofArray (Array.append arr.[.. start - 1] arr.[start + chunk ..])
            chunk <- chunk / 2
    }

let opsArb = Arb.fromGenShrink (opsGen, shrinkOps)

let tinyPool = PagerOptions(PageSizeBytes = 512, CacheFrames = 8)

let private contents (tree: BTree) =
    scan tree |> List.map (fun (k, v) -> { Bytes = k }, v)

/// Applies the operations to both; returns None when all agree, or a description of the first disagreement.
let run (options: PagerOptions) (path: string) (ops: Op list) =
    use pager = Pager.Open(path, options)
    let root = BTree.Create pager
    pager.Commit()
    let tree = BTree(pager, root)
    let mutable model = Map.empty<Key, byte[]>
    let mutable committed = model
    let mutable failure = None
    let check what ok = if not ok && failure.IsNone then failure <- Some what
    for op in ops do
        if failure.IsNone then
            match op with
            | Insert(k, v) ->
                let inserted = tree.Insert(ReadOnlySpan k.Bytes, ReadOnlySpan v)
                check (sprintf "%A returned %b" op inserted) (inserted = not (model.ContainsKey k))
                if inserted then model <- model.Add(k, v)
            | InsertRun(n, count, v) ->
                for j in n .. n + count - 1 do
                    let k = runKey j
                    let inserted = tree.Insert(ReadOnlySpan k.Bytes, ReadOnlySpan v)
                    check (sprintf "%A: key %d returned %b" op j inserted) (inserted = not (model.ContainsKey k))
                    if inserted then model <- model.Add(k, v)
            | Upsert(k, v) ->
                tree.Upsert(ReadOnlySpan k.Bytes, ReadOnlySpan v)
                model <- model.Add(k, v)
            | Delete k ->
                let deleted = tree.Delete(ReadOnlySpan k.Bytes)
                check (sprintf "%A returned %b" op deleted) (deleted = model.ContainsKey k)
                model <- model.Remove k
            | Lookup k ->
                let found, v = tree.TryGet(ReadOnlySpan k.Bytes)
                match model.TryFind k with
                | Some expected -> check (sprintf "%A" op) (found && v = expected)
                | None -> check (sprintf "%A found a deleted key" op) (not found)
            | ScanFrom(k, n) ->
                use c = tree.OpenCursor()
                let got = ResizeArray()
                let mutable ok = c.Seek(ReadOnlySpan k.Bytes)
                while ok && got.Count < n do
                    got.Add(({ Bytes = c.Key.ToArray() }: Key), c.Value.ToArray())
                    ok <- c.Next()
                let expected = model |> Map.toList |> List.filter (fun (mk, _) -> mk >= k) |> List.truncate n
                check (sprintf "%A" op) (List.ofSeq got = expected)
            | ScanBack(k, n) ->
                use c = tree.OpenCursor()
                let got = ResizeArray()
                let mutable ok = c.SeekLastAtOrBefore(ReadOnlySpan k.Bytes)
                while ok && got.Count < n do
                    got.Add(({ Bytes = c.Key.ToArray() }: Key), c.Value.ToArray())
                    ok <- c.Previous()
                let expected = model |> Map.toList |> List.filter (fun (mk, _) -> mk <= k) |> List.rev |> List.truncate n
                check (sprintf "%A" op) (List.ofSeq got = expected)
            | Commit ->
                pager.Commit()
                committed <- model
            | Rollback ->
                pager.Rollback()
                model <- committed
    if failure.IsNone then
        let errors = pager.Validate(ResizeArray [ root ])
        check (sprintf "Validate: %s" (String.Join("; ", errors))) (errors.Count = 0)
        check (sprintf "pool holds %d frames, %d pinned" pager.AllocatedFrameCount pager.PinnedFrameCount) (pager.PinnedFrameCount = 0)
        check "contents differ from the model" (contents tree = Map.toList model)
        check "CountEntries differs" (tree.CountEntries() = int64 model.Count)
        pager.Commit()
    failure

let private reopenAndCompare (options: PagerOptions) (path: string) (expected: (Key * byte[]) list) =
    use pager = Pager.Open(path, options)
    // The tree created by run() is the first page allocated after the catalog.
    let tree = BTree(pager, pager.CatalogRootPageId + 1u)
    let errors = pager.Validate(ResizeArray [ tree.RootPageId ])
    if errors.Count <> 0 then Some(sprintf "after reopen, Validate: %s" (String.Join("; ", errors)))
    elif contents tree <> expected then Some "after reopen, contents differ"
    else None

let private modelOf (ops: Op list) =
    ((Map.empty, Map.empty), ops)
    ||> List.fold (fun (m: Map<Key, byte[]>, c) op ->
        match op with
        | Insert(k, v) -> (if m.ContainsKey k then m else m.Add(k, v)), c
        | InsertRun(n, count, v) -> ((m, [ n .. n + count - 1 ]) ||> List.fold (fun m j -> let k = runKey j in if m.ContainsKey k then m else m.Add(k, v))), c
        | Upsert(k, v) -> m.Add(k, v), c
        | Delete k -> m.Remove k, c
        | Commit -> m, m
        | Rollback -> c, c
        | _ -> m, c)
    |> fst
    |> Map.toList

let private agreesWithModel (options: PagerOptions) (maxTest: int) =
    let prop (ops: Op list) =
        use tmp = new TempPath()
        match run options tmp.Path ops with
        | Some failure -> failwithf "%s" failure
        | None ->
            match reopenAndCompare options tmp.Path (modelOf ops) with
            | Some failure -> failwithf "%s" failure
            | None -> true
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), Prop.forAll opsArb prop)

[<Fact>]
let ``BT1-BT12 B+Tree agrees with a Map model under random operations with an 8-frame pool, validates, and survives reopen`` () =
    agreesWithModel tinyPool 150

[<Fact>]
let ``BT1-BT12 the model agrees with 1 KiB pages too, where inline payloads reach 2-byte lengths (128-252 bytes)`` () =
    agreesWithModel (PagerOptions(PageSizeBytes = 1024, CacheFrames = 8)) 60

[<Fact>]
let ``a failing operation sequence shrinks to a minimal one`` () =
    // A planted failure: "the tree never holds three keys". The minimal counterexample is three operations.
    let prop (ops: Op list) =
        use tmp = new TempPath()
        use pager = Pager.Open(tmp.Path, tinyPool)
        let tree = BTree(pager, BTree.Create pager)
        for op in ops do
            match op with
            | Insert(k, v) -> tree.Insert(ReadOnlySpan k.Bytes, ReadOnlySpan v) |> ignore
            | Upsert(k, v) -> tree.Upsert(ReadOnlySpan k.Bytes, ReadOnlySpan v)
            | Delete k -> tree.Delete(ReadOnlySpan k.Bytes) |> ignore
            | _ -> ()
        tree.CountEntries() < 3L
    let ex = Assert.ThrowsAny<Exception>(fun () -> Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.forAll opsArb prop))
    let at = ex.Message.IndexOf("Shrunk", StringComparison.Ordinal)
    let shrunk = if at < 0 then ex.Message else ex.Message.Substring at
    let count = Text.RegularExpressions.Regex.Matches(shrunk, @"\b(Insert|Upsert|Delete|Lookup|ScanFrom|ScanBack|Commit|Rollback)\b").Count
    Assert.True((count = 3), sprintf "expected a 3-operation counterexample, got %d:\n%s" count shrunk)
