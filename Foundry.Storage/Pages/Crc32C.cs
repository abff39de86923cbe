using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Foundry.Storage;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), used for page and log-record checksums.
/// System.IO.Hashing is not available from the package mirror, so this is our own. Every page written
/// and every log record is checksummed, so speed matters: the CPU's CRC-32C instruction (SSE 4.2 on x64,
/// the CRC extension on Arm64) takes 8 bytes per step; a table-driven loop is the fallback and the
/// reference the intrinsic paths are tested against.
/// </summary>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }

    /// <summary>CRC-32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        if (Sse42.X64.IsSupported)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            ulong wide = crc;
            foreach (ulong w in words)
            {
                wide = Sse42.X64.Crc32(wide, w); // x64 and Arm64 are little-endian: w holds the bytes in order
            }
            crc = (uint)wide;
            foreach (byte b in data[(words.Length * 8)..])
            {
                crc = Sse42.Crc32(crc, b);
            }
        }
        else if (Crc32.Arm64.IsSupported)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (ulong w in words)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, w);
            }
            foreach (byte b in data[(words.Length * 8)..])
            {
                crc = Crc32.ComputeCrc32C(crc, b);
            }
        }
        else
        {
            crc = TableUpdate(crc, data);
        }
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>The byte-at-a-time update (no final xor), for CPUs without a CRC-32C instruction.</summary>
    private static uint TableUpdate(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    /// <summary>CRC-32C by the table alone, whatever the CPU offers (for tests of the fast paths).</summary>
    public static uint ComputeByTable(ReadOnlySpan<byte> data) => TableUpdate(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;
}
