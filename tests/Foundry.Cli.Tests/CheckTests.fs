/// `foundry check DB` and IntegrityCheck: a clean file checks clean; corruption, truncation, garbage and a
/// missing index entry are reported (never a crash); a corrupt page also fails the queries that touch it.
module Foundry.Cli.Tests.CheckTests

open System
open System.Buffers.Binary
open System.IO
open System.Text
open Xunit
open Foundry.Engine
open Foundry.Runtime
open Foundry.Storage
open Foundry.Cli.Tests.Cli

/// Small pages so that the tables span several levels and the indexes several leaves.
let private options = DatabaseOptions(PageSizeBytes = 512)

/// Every row of a query, values boxed; a FoundryException escapes.
let private query (path: string) (sql: string) : obj list list =
    use db = Database.Open(path, options)
    use session = db.OpenSession()
    use r = session.Execute sql
    [ while r.Read() do
          yield [ for i in 0 .. r.FieldCount - 1 -> r.GetValue i ] ]

/// Two tables with indexes over every indexable type (NULLs included), then deletes and updates.
/// The page count in the header of a closed database file.
let private pageCount (path: string) =
    use pager = Pager.Open path
    pager.PageCount

let private createDatabase (path: string) =
    use db = Database.Open(path, options)
    runScript db "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL, d BOOLEAN, e INTEGER NOT NULL)"
    runScript db "CREATE TABLE r (x TEXT, y INTEGER)"
    runScript db "CREATE INDEX t_b ON t (b); CREATE UNIQUE INDEX t_cd ON t (c, d); CREATE INDEX t_e ON t (e); CREATE INDEX r_xy ON r (x, y)"
    let rows =
        [ for i in 1..300 ->
              let b = if i % 7 = 0 then "NULL" else $"'name {i % 50} {String('x', i % 30)}'"
              let c = if i % 11 = 0 then "NULL" else $"{float i / 4.0 - 20.0}"
              let d = if i % 13 = 0 then "NULL" else (if i % 2 = 0 then "TRUE" else "FALSE")
              $"({i}, {b}, {c}, {d}, {i % 17 - 8})" ]
    runScript db ("INSERT INTO t VALUES " + String.Join(", ", rows))
    runScript db ("INSERT INTO r VALUES " + String.Join(", ", [ for i in 1..200 -> $"('k{i % 9}', {i % 4})" ]) + ", (NULL, NULL)")
    runScript db "DELETE FROM t WHERE a % 5 = 0; UPDATE t SET b = 'changed' WHERE a % 9 = 0; DELETE FROM r WHERE y = 2"
    runScript db "CREATE VIEW v AS SELECT a, b FROM t WHERE d"

/// The catalog entry of table or index `name` ('t' or 'i' kind byte plus the lower-cased name).
let private catalogEntry (pager: Pager) (kind: char) (name: string) =
    let key = Array.append [| byte kind |] (Encoding.UTF8.GetBytes(name.ToLowerInvariant()))
    match BTree(pager, pager.CatalogRootPageId).TryGet(ReadOnlySpan key) with
    | true, value -> value
    | _ -> failwithf "no catalog entry %c %s" kind name

/// The leftmost leaf of the tree rooted at `root`, by walking interior nodes through their first child
/// (docs/storage.md: the slot array starts at byte 32; an interior cell starts with its u32 left child).
let rec private leftmostLeaf (pager: Pager) (root: uint32) =
    use page = pager.Get root
    if page.PageType = PageType.BTreeLeaf then
        root
    else
        let firstCell = int (BinaryPrimitives.ReadUInt16LittleEndian(ReadOnlySpan(page.Buffer, 32, 2)))
        let child = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(page.Buffer, firstCell, 4))
        leftmostLeaf pager child

/// The first leaf of table `t` (holding its smallest keys), found from the catalog; and the tree's depth.
let private firstLeafOfT (path: string) =
    use pager = Pager.Open path
    let table = TableSchema.Deserialize(ReadOnlySpan(catalogEntry pager 't' "t"))
    leftmostLeaf pager table.RootPageId, BTree(pager, table.RootPageId).Depth

[<Fact>]
let ``a clean database with tables, indexes and deletes checks clean`` () =
    use dir = new TempDir()
    let db = dir.File "clean.foundry"
    createDatabase db
    let before = File.ReadAllBytes db
    let r = run "" [ "check"; db ]
    Assert.Equal("", r.Err)
    Assert.Equal(0, r.ExitCode)
    for object in [ "pages"; "catalog"; "table t"; "table r"; "index t_b"; "index t_cd"; "index t_e"; "index r_xy"; "view v"; "file" ] do
        Assert.Contains($"ok     {object} ", r.Out)
    Assert.DoesNotContain("FAULT", r.Out)
    Assert.StartsWith("ok: no faults in 10 objects", (lines r.Out |> List.last))
    let report = IntegrityCheck.Run db
    Assert.True(report.Ok)
    Assert.Empty(report.CorruptPages)
    let t = report.Objects |> Seq.find (fun o -> o.Kind = IntegrityObjectKind.Table && o.Name = "t")
    Assert.Equal<obj list list>([ [ box t.Entries ] ], query db "SELECT count(*) FROM t")
    Assert.Equal(240L, t.Entries)
    Assert.Equal<byte[]>(before, File.ReadAllBytes db)

[<Fact>]
let ``a flipped byte in a data page is reported by check and fails the queries that read the page`` () =
    use dir = new TempDir()
    let db = dir.File "flipped.foundry"
    createDatabase db
    let leaf, depth = firstLeafOfT db
    Assert.True(depth >= 2, "table t should span several pages")
    // The last byte of the page is inside the cell area (cells are packed from the end of the page).
    flipByte db (int64 leaf * 512L + 511L)

    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains($"PG4 page {leaf} at offset {int64 leaf * 512L}: checksum mismatch", r.Out)
    Assert.Contains("FAULT  table t ", r.Out)
    Assert.Contains($"page {leaf} of '{db}' is corrupt", r.Out)
    Assert.DoesNotContain("unexpected", r.Out)
    Assert.StartsWith("FAULTS: ", (lines r.Out |> List.last))
    Assert.Equal<uint32 list>([ leaf ], IntegrityCheck.Run(db).CorruptPages |> List.ofSeq)

    // A point query on the page's first row, and a scan, fail with a clear error instead of answering.
    for sql in [ "SELECT b FROM t WHERE a = 1"; "SELECT count(*) FROM t" ] do
        let e = Assert.Throws<FoundryException>(fun () -> query db sql |> ignore)
        Assert.Equal("FND5100", e.Code)
        Assert.Contains($"page {leaf}", e.Message)
        Assert.Contains("checksum mismatch", e.Message)
    // The same through the CLI: a message on stderr and exit code 1, no stack trace.
    let q = run "" [ "exec"; db; "-c"; "SELECT b FROM t WHERE a = 1" ]
    Assert.Equal(1, q.ExitCode)
    Assert.Contains("FND5100", q.Err)
    Assert.Contains($"page {leaf}", q.Err)
    Assert.DoesNotContain("   at ", q.Err)
    // Queries that do not touch the page still answer.
    Assert.Equal<obj list list>([ [ box 151L ] ], query db "SELECT count(*) FROM r")

[<Fact>]
let ``a truncated file is reported, not crashed on`` () =
    use dir = new TempDir()
    let db = dir.File "truncated.foundry"
    createDatabase db
    // The pages the header counts (the file is longer: PG7 reserves space after the last page).
    let length = int64 (pageCount db) * 512L
    using (new FileStream(db, FileMode.Open)) (fun f -> f.SetLength(length - 700L))
    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("IC7 the file is truncated", r.Out)
    Assert.Contains($"pages {(length - 700L) / 512L} to {length / 512L - 1L} are missing", r.Out)
    // Cut inside the header: still a report.
    using (new FileStream(db, FileMode.Open)) (fun f -> f.SetLength 100L)
    let short = run "" [ "check"; db ]
    Assert.Equal(1, short.ExitCode)
    Assert.Contains("shorter than the 128-byte file header", short.Out)

[<Fact>]
let ``random bytes, an empty file and garbage after a valid header are reported, not crashed on`` () =
    use dir = new TempDir()
    let random = Random 42
    let noise = dir.File "noise.foundry"
    File.WriteAllBytes(noise, Array.init 20000 (fun _ -> byte (random.Next 256)))
    let r = run "" [ "check"; noise ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("is not a Foundry database: bad magic", r.Out)

    let empty = dir.File "empty.foundry"
    File.WriteAllBytes(empty, [||])
    let e = run "" [ "check"; empty ]
    Assert.Equal(1, e.ExitCode)
    Assert.Contains("the file is empty", e.Out)
    Assert.Equal(0L, FileInfo(empty).Length)

    // A real header page followed by random pages: every page is reported, and the catalog is unreadable.
    let real = dir.File "real.foundry"
    createDatabase real
    let bytes = File.ReadAllBytes real
    let garbage = dir.File "garbage.foundry"
    File.WriteAllBytes(garbage, Array.append bytes[0..511] (Array.init (bytes.Length - 512) (fun _ -> byte (random.Next 256))))
    let g = run "" [ "check"; garbage ]
    Assert.Equal(1, g.ExitCode)
    Assert.Contains("PG4 page 1 at offset 512", g.Out)
    Assert.Contains("FAULT  catalog", g.Out)
    Assert.DoesNotContain("unexpected", g.Out)
    let report = IntegrityCheck.Run garbage
    Assert.Equal(int (pageCount real) - 1, report.CorruptPages.Count)

[<Fact>]
let ``an index entry removed or added behind the table's back is reported`` () =
    use dir = new TempDir()
    let db = dir.File "index.foundry"
    createDatabase db
    let removed, bogus =
        use pager = Pager.Open db
        let index = IndexSchema.Deserialize(ReadOnlySpan(catalogEntry pager 'i' "t_e"))
        let tree = BTree(pager, index.RootPageId)
        let first =
            use cursor = tree.OpenCursor()
            Assert.True(cursor.First())
            cursor.Key.ToArray()
        Assert.True(tree.Delete(ReadOnlySpan first))
        // An entry for a row that does not exist: e = 100, primary key 9999.
        let pk = KeyWriter().WriteInt64(9999L).ToArray()
        let key = KeyWriter().WriteInt64(100L).WriteBlob(ReadOnlySpan pk).ToArray()
        Assert.True(tree.Insert(ReadOnlySpan key, ReadOnlySpan pk))
        pager.Commit()
        KeyReader.Decode(ReadOnlySpan first), key
    Assert.Equal(2, removed.Length)
    Assert.Equal(2, KeyReader.Decode(ReadOnlySpan bogus).Length)
    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("FAULT  index t_e ", r.Out)
    Assert.Contains("IC3 row (", r.Out)
    Assert.Contains("has no entry in index t_e", r.Out)
    Assert.Contains("IC4 entry (100, x'", r.Out)
    Assert.Contains("points at primary key (9999), which is not in table t", r.Out)
    Assert.Contains("ok     index t_b ", r.Out)
    Assert.Contains("ok     table t ", r.Out)
    Assert.Equal(2, IntegrityCheck.Run(db).FaultCount)

[<Fact>]
let ``a missing or locked file cannot be checked: exit code 2 and a clear message`` () =
    use dir = new TempDir()
    let missing = run "" [ "check"; dir.File "missing.foundry" ]
    Assert.Equal(2, missing.ExitCode)
    Assert.Equal("", missing.Out)
    Assert.StartsWith("foundry: cannot check: no such database file: ", missing.Err)
    Assert.False(File.Exists(dir.File "missing.foundry"))

    let db = dir.File "open.foundry"
    createDatabase db
    use opened = Database.Open db
    let locked = run "" [ "check"; db ]
    Assert.Equal(2, locked.ExitCode)
    Assert.StartsWith("foundry: cannot check: database is locked", locked.Err)

[<Fact>]
let ``check runs as a child process and reports through its exit code`` () =
    use dir = new TempDir()
    let db = dir.File "child.foundry"
    createDatabase db
    let runChild () =
        use proc = start [ "check"; db ]
        proc.StandardInput.Close()
        let out = proc.StandardOutput.ReadToEnd()
        Assert.True(proc.WaitForExit 60000)
        proc.ExitCode, out
    let code, out = runChild ()
    Assert.Equal(0, code)
    Assert.Contains("ok: no faults", out)
    let leaf, _ = firstLeafOfT db
    flipByte db (int64 leaf * 512L + 300L)
    let code, out = runChild ()
    Assert.Equal(1, code)
    Assert.Contains($"PG4 page {leaf}", out)

[<Fact>]
let ``rows that do not match their table, and duplicates in a unique index, are reported`` () =
    use dir = new TempDir()
    let db = dir.File "rows.foundry"
    createDatabase db
    do
        use pager = Pager.Open db
        let table = TableSchema.Deserialize(ReadOnlySpan(catalogEntry pager 't' "t"))
        let tree = BTree(pager, table.RootPageId)
        // Key 5000, but column a says 6000; and NULL in the NOT NULL column e.
        let key = KeyWriter().WriteInt64(5000L).ToArray()
        let record = RecordWriter().Begin(5).WriteInt64(6000L).WriteText("b").WriteDouble(1.0).WriteBoolean(true).WriteNull().ToArray()
        Assert.True(tree.Insert(ReadOnlySpan key, ReadOnlySpan record))
        // A record with too few columns, missing a NOT NULL one (rows written before ALTER TABLE ADD
        // COLUMN may be shorter, but only by nullable columns).
        let short = KeyWriter().WriteInt64(5001L).ToArray()
        Assert.True(tree.Insert(ReadOnlySpan short, ReadOnlySpan(RecordWriter().Begin(2).WriteInt64(5001L).WriteNull().ToArray())))
        // Declare t_e UNIQUE although e repeats.
        let index = IndexSchema.Deserialize(ReadOnlySpan(catalogEntry pager 'i' "t_e"))
        let unique = IndexSchema(index.Name, index.Table, index.Columns, true, index.RootPageId)
        BTree(pager, pager.CatalogRootPageId).Upsert(ReadOnlySpan(Encoding.UTF8.GetBytes "it_e"), ReadOnlySpan(unique.Serialize()))
        pager.Commit()
    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("IC2 row (5000): column e is NULL but declared NOT NULL", r.Out)
    Assert.Contains("IC2 row (5001): column e is missing from the record but declared NOT NULL", r.Out)
    Assert.Contains("IC5 index t_b has 240 entries, table t has 242 rows", r.Out)
    Assert.Contains("IC6 unique index t_e holds rows (", r.Out)
    Assert.Contains("with equal values (-8)", r.Out)

[<Fact>]
let ``records that break the compact record format are reported`` () =
    use dir = new TempDir()
    let db = dir.File "format.foundry"
    createDatabase db
    do
        use pager = Pager.Open db
        let table = TableSchema.Deserialize(ReadOnlySpan(catalogEntry pager 't' "t"))
        let tree = BTree(pager, table.RootPageId)
        let insert (a: int64) (record: byte[]) =
            Assert.True(tree.Insert(ReadOnlySpan(KeyWriter().WriteInt64(a).ToArray()), ReadOnlySpan record))
        // t (a INTEGER PRIMARY KEY, b TEXT, c REAL, d BOOLEAN, e INTEGER NOT NULL) with b, c, d NULL:
        // header word 5 (+ width code << 14) | bitmap 0b01110 | five end offsets | a | e.
        insert 5002L [| 0x05uy; 0x00uy; 0x0Euy; 10uy; 10uy; 10uy; 10uy; 12uy; 0x8Auy; 0x13uy; 0x03uy; 0x00uy |] // e = 3 in 2 bytes
        insert 5003L [| 0x05uy; 0xC0uy; 0x0Euy; 10uy; 10uy; 10uy; 10uy; 11uy; 0x8Buy; 0x13uy; 0x03uy |] // width code 3
        insert 5004L [| 0x05uy; 0x40uy; 0x0Euy; 15uy; 0uy; 15uy; 0uy; 15uy; 0uy; 15uy; 0uy; 16uy; 0uy; 0x8Cuy; 0x13uy; 0x03uy |] // 2-byte offsets
        let record = RecordWriter().Begin(5).WriteInt64(5005L).WriteNull().WriteNull().WriteNull().WriteInt64(3L).ToArray()
        insert 5005L (Array.append record [| 0uy |]) // a byte after the last column
        pager.Commit()
    let r = run "" [ "check"; db ]
    Assert.Equal(1, r.ExitCode)
    Assert.Contains("IC2 row (5002): column e (INTEGER) holds 3 in 2 bytes, expected 1", r.Out)
    Assert.Contains("IC2 row (5003): the record's header has offset width code 3 (valid codes: 0, 1, 2)", r.Out)
    Assert.Contains("IC2 row (5004): the record has 2-byte end offsets, but 1-byte ones hold its 16 bytes", r.Out)
    Assert.Contains("IC2 row (5005): the record's last column ends at byte 11, but the record has 12 bytes", r.Out)
    // The same rows read through SQL: well-formed enough ones decode, the bad width code fails loudly.
    Assert.Equal<obj list list>([ [ box 3L ] ], query db "SELECT e FROM t WHERE a = 5004")
    let ex = Assert.ThrowsAny<exn>(fun () -> query db "SELECT e FROM t WHERE a = 5003" |> ignore)
    Assert.Contains("offset width code 3", ex.Message)
