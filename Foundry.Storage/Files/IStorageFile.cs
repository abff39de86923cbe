namespace Foundry.Storage;

/// <summary>
/// A file as the storage engine uses it: positional reads and writes, fsync, and resizing. Writes are
/// only guaranteed to survive a crash once <see cref="Sync"/> has returned; a write that was not synced
/// may be lost entirely or torn (partly applied). The WAL and recovery are written against exactly that
/// contract, and <see cref="FaultInjectingFileSystem"/> simulates it in tests.
/// </summary>
public interface IStorageFile : IDisposable
{
    string Path { get; }

    long Length { get; }

    /// <summary>Reads up to buffer.Length bytes at offset; returns bytes read (short at end of file).</summary>
    int Read(Span<byte> buffer, long offset);

    void Write(ReadOnlySpan<byte> buffer, long offset);

    /// <summary>Makes every earlier write and resize durable (fsync).</summary>
    void Sync();

    void SetLength(long length);
}

/// <summary>Where the pager's files come from: the operating system, or a simulation in tests.</summary>
public interface IStorageFileSystem
{
    /// <summary>Opens or creates <paramref name="path"/>; <paramref name="exclusive"/> takes the OS lock ("database is locked" on conflict).</summary>
    IStorageFile Open(string path, bool exclusive);

    /// <summary>
    /// Opens an existing <paramref name="path"/> for reading only (a missing file is an error, never
    /// created). With <paramref name="sharedLock"/> it takes the OS lock shared, so it fails with "database
    /// is locked" while a writer holds the file, and no writer can open it meanwhile.
    /// </summary>
    IStorageFile OpenReadOnly(string path, bool sharedLock);

    bool Exists(string path);

    void Delete(string path);
}

/// <summary>The real file system: <see cref="DatabaseFile"/>.</summary>
public sealed class OsFileSystem : IStorageFileSystem
{
    public static readonly OsFileSystem Instance = new();

    public IStorageFile Open(string path, bool exclusive) => DatabaseFile.Open(path, exclusive);

    public IStorageFile OpenReadOnly(string path, bool sharedLock) => DatabaseFile.OpenReadOnly(path, sharedLock);

    public bool Exists(string path) => File.Exists(path);

    public void Delete(string path) => File.Delete(path);
}
