using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// The header every page starts with. All integers little-endian.
///
/// | offset | size | field          | meaning                                                        |
/// |--------|------|----------------|----------------------------------------------------------------|
/// | 0      | 4    | checksum       | CRC-32C of bytes [4, pageSize); written whenever the page is logged or written |
/// | 4      | 8    | page LSN       | LSN of the last WAL redo image of the page (write-ahead rule)   |
/// | 12     | 1    | page type      | <see cref="PageType"/>                                          |
/// | 13     | 1    | format version | <see cref="FormatVersion"/> of the page's layout                |
/// | 14     | 2    | reserved       | zero                                                            |
///
/// The usable area of a page is [<see cref="Size"/>, pageSize); its layout depends on the page type
/// (see FileHeaderPage, Node, and the free-page layout in Pager).
/// </summary>
public static class PageHeader
{
    public const int ChecksumOffset = 0;
    public const int LsnOffset = 4;
    public const int TypeOffset = 12;
    public const int VersionOffset = 13;
    public const int ReservedOffset = 14;

    /// <summary>Size of the common page header in bytes.</summary>
    public const int Size = 16;

    /// <summary>Page layout version written into byte 13 of every page.</summary>
    public const byte FormatVersion = 1;

    public static uint GetChecksum(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt32LittleEndian(page[ChecksumOffset..]);

    public static ulong GetLsn(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt64LittleEndian(page[LsnOffset..]);

    public static void SetLsn(Span<byte> page, ulong lsn) => BinaryPrimitives.WriteUInt64LittleEndian(page[LsnOffset..], lsn);

    public static PageType GetPageType(ReadOnlySpan<byte> page) => (PageType)page[TypeOffset];

    public static byte GetVersion(ReadOnlySpan<byte> page) => page[VersionOffset];

    /// <summary>Zeroes the page and writes a fresh header of the given type (LSN 0, checksum filled at commit).</summary>
    public static void Format(Span<byte> page, PageType type)
    {
        page.Clear();
        page[TypeOffset] = (byte)type;
        page[VersionOffset] = FormatVersion;
    }

    /// <summary>CRC-32C over everything but the checksum field itself.</summary>
    public static uint ComputeChecksum(ReadOnlySpan<byte> page) => Crc32C.Compute(page[(ChecksumOffset + 4)..]);

    public static void WriteChecksum(Span<byte> page) =>
        BinaryPrimitives.WriteUInt32LittleEndian(page[ChecksumOffset..], ComputeChecksum(page));
}
