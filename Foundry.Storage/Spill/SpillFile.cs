namespace Foundry.Storage;

/// <summary>
/// One temporary file of operator state that did not fit in memory (a sorted run, a hash partition):
/// written sequentially, then read back sequentially from the start, any number of times. The file is
/// opened delete-on-close in its <see cref="SpillSpace"/>'s directory, so it disappears when it is
/// disposed, when its space is disposed, or when the process dies.
///
/// States: Writing (after creation: <see cref="Writer"/> appends) -> Reading (after
/// <see cref="StartReading"/>: <see cref="Reader"/> reads from offset 0; StartReading again rewinds)
/// -> Disposed. Records are whatever the operator writes; <see cref="Records"/> counts them for it.
/// A failed write (disk full, quota) raises <see cref="SpillWriteException"/>, never a bare IOException.
/// </summary>
public sealed class SpillFile : IDisposable
{
    /// <summary>File buffer size: a merge or partition pass keeps one open per run or partition.</summary>
    internal const int BufferBytes = 16 << 10;

    private readonly SpillSpace _space;
    private readonly FileStream _file;
    private readonly BinaryWriter _writer;
    private BinaryReader? _reader;
    private bool _disposed;

    internal SpillFile(SpillSpace space, string path)
    {
        _space = space;
        Path = path;
        try
        {
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferBytes, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new SpillWriteException(path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SpillWriteException(path, e);
        }
        _writer = new BinaryWriter(new GuardedStream(_file, path), System.Text.Encoding.UTF8, leaveOpen: true);
    }

    public string Path { get; }

    /// <summary>Records written, as counted by the operator with <see cref="RecordWritten"/>.</summary>
    public long Records { get; private set; }

    /// <summary>Appends to the file; valid until <see cref="StartReading"/>.</summary>
    public BinaryWriter Writer => _reader is null ? _writer : throw new InvalidOperationException("Foundry bug: writing a spill file that is being read");

    public void RecordWritten() => Records++;

    /// <summary>Flushes what was written and positions a reader at the first byte.</summary>
    public BinaryReader StartReading()
    {
        if (_reader is null)
        {
            _writer.Flush();
            _space.CountWritten(_file.Length);
            _reader = new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
        }
        _file.Position = 0;
        return _reader;
    }

    public BinaryReader Reader => _reader ?? throw new InvalidOperationException("Foundry bug: reading a spill file before StartReading");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _space.Forget(this);
        try
        {
            _writer.Dispose();
        }
        catch (IOException)
        {
            // The final flush of a file being thrown away failed (the disk is full): nothing is lost.
        }
        finally
        {
            _file.Dispose();
        }
    }

    /// <summary>Turns the I/O errors of writes and flushes into <see cref="SpillWriteException"/>.</summary>
    private sealed class GuardedStream(FileStream inner, string path) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (IOException e)
            {
                throw new SpillWriteException(path, e);
            }
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (IOException e)
            {
                throw new SpillWriteException(path, e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
