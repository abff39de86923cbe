using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Foundry.Storage;

/// <summary>
/// The operating-system file behind a <see cref="Pager"/>: positional reads and writes of whole pages,
/// fsync, and the exclusive lock. The file is opened with <see cref="FileShare.None"/>; on Unix .NET
/// backs that with an exclusive advisory lock (flock), so a second opener — in this process or
/// another — fails with "database is locked" instead of writing the file concurrently.
/// </summary>
internal sealed class DatabaseFile : IStorageFile
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;

    private DatabaseFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
        _handle = stream.SafeFileHandle;
    }

    public string Path { get; }

    public long Length => RandomAccess.GetLength(_handle);

    public static DatabaseFile Open(string path, bool exclusive = true) =>
        OpenStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite, "cannot open database file");

    /// <summary>Opens an existing file for reading only; <paramref name="sharedLock"/> takes the lock shared (FileShare.Read), else none.</summary>
    public static DatabaseFile OpenReadOnly(string path, bool sharedLock) =>
        OpenStream(path, FileMode.Open, FileAccess.Read, sharedLock ? FileShare.Read : FileShare.ReadWrite, "cannot open for reading");

    /// <summary>Opens the stream; a held lock becomes "database is locked", other failures a StorageException naming the file.</summary>
    private static DatabaseFile OpenStream(string path, FileMode mode, FileAccess access, FileShare share, string failure)
    {
        try
        {
            return new DatabaseFile(path, new FileStream(path, mode, access, share, bufferSize: 0, FileOptions.RandomAccess));
        }
        catch (IOException ex) when (File.Exists(path) && IsSharingViolation(ex))
        {
            throw new StorageException($"database is locked: '{path}' is open in another connection or process", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{failure} '{path}': {ex.Message}", ex);
        }
    }

    private static bool IsSharingViolation(IOException ex)
    {
        // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows; on Unix .NET reports EWOULDBLOCK
        // from flock with the same "being used by another process" message and HResult.
        const int SharingViolation = unchecked((int)0x80070020);
        const int LockViolation = unchecked((int)0x80070021);
        return ex.HResult is SharingViolation or LockViolation
            || ex.Message.Contains("being used by another process", StringComparison.Ordinal);
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns bytes read (short at end of file).</summary>
    public int Read(Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(_handle, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    public void Write(ReadOnlySpan<byte> buffer, long offset) => RandomAccess.Write(_handle, buffer, offset);

    /// <summary>
    /// Makes every earlier write durable. On Linux this is fdatasync: it flushes the data and the metadata
    /// needed to read it back (the file size) but not timestamps, which saves a journal write per commit
    /// when the log overwrites space it already owns. Elsewhere .NET's flush-to-disk (fsync, or
    /// F_FULLFSYNC on macOS).
    /// </summary>
    public void Sync()
    {
        if (!OperatingSystem.IsLinux())
        {
            _stream.Flush(flushToDisk: true);
            return;
        }
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            if (FileDataSync((int)_handle.DangerousGetHandle()) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync of '{Path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno); // HResult = errno, as .NET reports I/O errors on Unix
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int FileDataSync(int fd);

    public void SetLength(long length) => RandomAccess.SetLength(_handle, length);

    public void Dispose() => _stream.Dispose();
}
