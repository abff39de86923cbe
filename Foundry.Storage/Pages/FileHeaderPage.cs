using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// Page 0 of every database file. After the common <see cref="PageHeader"/> (type FileHeader):
///
/// | offset | size | field              | meaning                                                    |
/// |--------|------|--------------------|------------------------------------------------------------|
/// | 16     | 8    | magic              | ASCII "FOUNDRY\0"                                          |
/// | 24     | 4    | file format version| <see cref="FileFormatVersion"/>                            |
/// | 28     | 4    | page size          | bytes per page, a power of two in [512, 65536]             |
/// | 32     | 4    | page count         | pages in the file, header page included                    |
/// | 36     | 4    | free list head     | first free page id, 0 when the free list is empty          |
/// | 40     | 4    | free page count    | pages on the free list                                     |
/// | 44     | 4    | catalog root       | root page id of the catalog B+Tree                         |
/// | 48     | 8    | database id        | random, chosen at creation, never changed; the WAL's header carries it too |
/// | 56     | 72   | reserved           | zero                                                       |
///
/// All integers little-endian. Everything after offset 128 is zero.
/// </summary>
public static class FileHeaderPage
{
    public const int MagicOffset = PageHeader.Size;
    public const int FileFormatVersionOffset = MagicOffset + 8;
    public const int PageSizeOffset = FileFormatVersionOffset + 4;
    public const int PageCountOffset = PageSizeOffset + 4;
    public const int FreeListHeadOffset = PageCountOffset + 4;
    public const int FreePageCountOffset = FreeListHeadOffset + 4;
    public const int CatalogRootOffset = FreePageCountOffset + 4;
    public const int DatabaseIdOffset = CatalogRootOffset + 4;
    public const int ReservedOffset = DatabaseIdOffset + 8;
    public const int ReservedSize = 72;

    /// <summary>Bytes of page 0 that must be read to learn the page size.</summary>
    public const int FixedSize = ReservedOffset + ReservedSize;

    /// <summary>
    /// Version of everything stored in the file, not only this page: 3 has compact records (variable-width
    /// end offsets and integers), variable-length INTEGER keys and B+Tree cells with 1-or-2-byte lengths;
    /// 4 adds the database id that binds the write-ahead log (version 2 of the log, in sectors). Files of
    /// versions 1 to 3 cannot be read: a version-3 file's log has neither the id nor the sector checksums
    /// recovery needs to tell damage from a torn tail.
    /// </summary>
    public const uint FileFormatVersion = 4;

    public const int MinPageSize = 512;
    public const int MaxPageSize = 65536;

    public static ReadOnlySpan<byte> Magic => "FOUNDRY\0"u8;

    /// <summary>The mutable fields of the header page; the pager keeps a current and a committed copy.</summary>
    public struct State
    {
        public uint PageCount;
        public uint FreeListHead;
        public uint FreePageCount;
        public uint CatalogRoot;
    }

    public static void Write(Span<byte> page, int pageSizeBytes, in State state, ulong databaseId)
    {
        PageHeader.Format(page, PageType.FileHeader);
        Magic.CopyTo(page[MagicOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[FileFormatVersionOffset..], FileFormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(page[PageSizeOffset..], (uint)pageSizeBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(page[PageCountOffset..], state.PageCount);
        BinaryPrimitives.WriteUInt32LittleEndian(page[FreeListHeadOffset..], state.FreeListHead);
        BinaryPrimitives.WriteUInt32LittleEndian(page[FreePageCountOffset..], state.FreePageCount);
        BinaryPrimitives.WriteUInt32LittleEndian(page[CatalogRootOffset..], state.CatalogRoot);
        BinaryPrimitives.WriteUInt64LittleEndian(page[DatabaseIdOffset..], databaseId);
    }

    /// <summary>The database id of a header prefix (at least <see cref="FixedSize"/> bytes).</summary>
    public static ulong ReadDatabaseId(ReadOnlySpan<byte> prefix) => BinaryPrimitives.ReadUInt64LittleEndian(prefix[DatabaseIdOffset..]);

    /// <summary>A random non-zero database id for a new file.</summary>
    public static ulong NewDatabaseId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            id = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        }
        while (id == 0);
        return id;
    }

    public static State Read(ReadOnlySpan<byte> page) => new()
    {
        PageCount = BinaryPrimitives.ReadUInt32LittleEndian(page[PageCountOffset..]),
        FreeListHead = BinaryPrimitives.ReadUInt32LittleEndian(page[FreeListHeadOffset..]),
        FreePageCount = BinaryPrimitives.ReadUInt32LittleEndian(page[FreePageCountOffset..]),
        CatalogRoot = BinaryPrimitives.ReadUInt32LittleEndian(page[CatalogRootOffset..]),
    };

    public static bool IsValidPageSize(long pageSizeBytes) =>
        pageSizeBytes >= MinPageSize && pageSizeBytes <= MaxPageSize && (pageSizeBytes & (pageSizeBytes - 1)) == 0;

    /// <summary>
    /// Checks magic, format version and page size of the first <see cref="FixedSize"/> bytes;
    /// returns the page size or throws a <see cref="StorageException"/> naming what was wrong.
    /// </summary>
    public static int ValidatePrefix(ReadOnlySpan<byte> prefix, string path)
    {
        if (!prefix.Slice(MagicOffset, 8).SequenceEqual(Magic))
        {
            throw new StorageException(
                $"'{path}' is not a Foundry database: bad magic at offset {MagicOffset} (expected \"FOUNDRY\\0\", found {Describe(prefix.Slice(MagicOffset, 8))})");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[FileFormatVersionOffset..]);
        if (version != FileFormatVersion)
        {
            throw new StorageException(
                $"'{path}' has file format version {version} at offset {FileFormatVersionOffset}; this build reads version {FileFormatVersion}");
        }
        uint pageSize = BinaryPrimitives.ReadUInt32LittleEndian(prefix[PageSizeOffset..]);
        if (!IsValidPageSize(pageSize))
        {
            throw new StorageException(
                $"'{path}' has invalid page size {pageSize} at offset {PageSizeOffset} (expected a power of two in [{MinPageSize}, {MaxPageSize}])");
        }
        return (int)pageSize;
    }

    private static string Describe(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
