namespace Foundry.Storage;

/// <summary>
/// Wraps a file system so that the I/O errors of its files' writes, resizes and fsyncs become storage
/// errors a user can act on: <see cref="DiskFullException"/> when the device or quota is full, otherwise a
/// <see cref="StorageException"/> naming the file and the operation. The pager opens every file through it,
/// so the operating system and <see cref="FaultInjectingFileSystem"/> are classified alike.
/// </summary>
public sealed class ErrorClassifyingFileSystem(IStorageFileSystem inner) : IStorageFileSystem
{
    public IStorageFileSystem Inner => inner;

    public IStorageFile Open(string path, bool exclusive) => new ClassifyingFile(inner.Open(path, exclusive));

    public IStorageFile OpenReadOnly(string path, bool sharedLock) => new ClassifyingFile(inner.OpenReadOnly(path, sharedLock));

    public bool Exists(string path) => inner.Exists(path);

    public void Delete(string path) => inner.Delete(path);

    /// <summary>
    /// ENOSPC (28) and EDQUOT (122 on Linux, 69 on macOS), which .NET reports on Unix as the HResult of an
    /// IOException; ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112) as 0x8007xxxx on Windows.
    /// </summary>
    public static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or unchecked((int)0x80070027) or unchecked((int)0x80070070)
        || (OperatingSystem.IsLinux() && e.HResult == 122)
        || (OperatingSystem.IsMacOS() && e.HResult == 69);

    private sealed class ClassifyingFile(IStorageFile file) : IStorageFile
    {
        public string Path => file.Path;

        public long Length => file.Length;

        public int Read(Span<byte> buffer, long offset) => file.Read(buffer, offset);

        public void Write(ReadOnlySpan<byte> buffer, long offset)
        {
            try
            {
                file.Write(buffer, offset);
            }
            catch (IOException e)
            {
                throw Classify(e, $"write {buffer.Length} bytes at offset {offset} of");
            }
        }

        public void Sync()
        {
            try
            {
                file.Sync();
            }
            catch (IOException e)
            {
                throw Classify(e, "sync");
            }
        }

        public void SetLength(long length)
        {
            try
            {
                file.SetLength(length);
            }
            catch (IOException e)
            {
                throw Classify(e, $"resize to {length} bytes");
            }
        }

        public void Dispose() => file.Dispose();

        private StorageException Classify(IOException e, string operation) =>
            IsDiskFull(e) ? new DiskFullException(Path, operation, e) : new StorageException($"I/O error: could not {operation} '{Path}': {e.Message}", e);
    }
}
