namespace Foundry.Storage;

/// <summary>
/// A read-only view of a file with writes kept in memory: reads see the written blocks over the base
/// file's bytes, and nothing reaches the base. Recovery into an overlay yields the committed state of a
/// database without changing its files (`foundry check`). Memory is one block per distinct block written,
/// so recovery into it holds at most one page per page the log names.
/// </summary>
public sealed class OverlayFile : IStorageFile
{
    private readonly IStorageFile _base;
    private readonly int _blockSize;
    private readonly Dictionary<long, byte[]> _written = new();
    private long _length;

    /// <param name="baseFile">The file read through; never written.</param>
    /// <param name="blockSize">Granularity of the kept writes (the page size).</param>
    public OverlayFile(IStorageFile baseFile, int blockSize)
    {
        _base = baseFile;
        _blockSize = blockSize;
        _length = baseFile.Length;
    }

    public string Path => _base.Path;

    public long Length => _length;

    /// <summary>Blocks held in memory.</summary>
    public int BlocksWritten => _written.Count;

    public int Read(Span<byte> buffer, long offset)
    {
        int total = (int)Math.Clamp(_length - offset, 0, buffer.Length);
        int done = 0;
        while (done < total)
        {
            long at = offset + done;
            long block = at / _blockSize;
            int inBlock = (int)(at % _blockSize);
            int n = Math.Min(total - done, _blockSize - inBlock);
            Span<byte> target = buffer.Slice(done, n);
            if (_written.TryGetValue(block, out byte[]? bytes))
            {
                bytes.AsSpan(inBlock, n).CopyTo(target);
            }
            else
            {
                int got = _base.Read(target, at);
                target[got..].Clear(); // beyond the base file's end: zeros up to the overlay's length
            }
            done += n;
        }
        return total;
    }

    public void Write(ReadOnlySpan<byte> buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            long at = offset + done;
            long block = at / _blockSize;
            int inBlock = (int)(at % _blockSize);
            int n = Math.Min(buffer.Length - done, _blockSize - inBlock);
            if (!_written.TryGetValue(block, out byte[]? bytes))
            {
                bytes = new byte[_blockSize];
                Read(bytes, block * _blockSize);
                _written[block] = bytes;
            }
            buffer.Slice(done, n).CopyTo(bytes.AsSpan(inBlock));
            done += n;
        }
        _length = Math.Max(_length, offset + buffer.Length);
    }

    /// <summary>Nothing to make durable: the writes live in memory only.</summary>
    public void Sync() { }

    public void SetLength(long length) =>
        throw new StorageException($"'{Path}' is opened read-only (an in-memory overlay); it cannot be resized; this is a Foundry bug");

    public void Dispose() => _base.Dispose();
}
