namespace Foundry.Storage;

/// <summary>
/// The committed state of a database, read without writing either of its files (`foundry check`): the
/// database file and its log are opened read-only (the database file with the OS lock shared, so no
/// writer runs meanwhile and a database open elsewhere is reported as locked), and recovery writes its
/// redo and undo images into an in-memory <see cref="OverlayFile"/> over the database file instead of the
/// file itself. Memory: one page per page the log names, bounded by the log. Both files stay
/// byte-identical.
/// </summary>
public sealed class RecoveredFile : IDisposable
{
    private RecoveredFile(IStorageFile file, IStorageFileSystem fs, RecoveryReport recovery)
    {
        File = file;
        _fileSystem = fs;
        Recovery = recovery;
    }

    private readonly IStorageFileSystem _fileSystem;

    /// <summary>The database file as recovery leaves it (an overlay), or the file itself when its header is not a Foundry one (nothing to recover into).</summary>
    public IStorageFile File { get; }

    public RecoveryReport Recovery { get; }

    public string Path => File.Path;

    /// <summary>
    /// Opens <paramref name="path"/> (canonical, WB2) read-only and recovers it into memory. Throws
    /// <see cref="WalRefusedException"/> when the log cannot be trusted (RF1–RF3), and
    /// <see cref="StorageException"/> when the file cannot be opened (missing, locked, unreadable).
    /// </summary>
    public static RecoveredFile Open(string path, IStorageFileSystem? fileSystem = null)
    {
        IStorageFileSystem fs = fileSystem ?? OsFileSystem.Instance;
        string fullPath = Pager.CanonicalPath(fs, path);
        IStorageFile file = fs.OpenReadOnly(fullPath, sharedLock: true);
        try
        {
            int pageSize;
            try
            {
                (pageSize, _) = Pager.ReadPrefix(file);
            }
            catch (StorageException)
            {
                return new RecoveredFile(file, fs, RecoveryReport.None); // not a Foundry header: the check reports it
            }
            var overlay = new OverlayFile(file, pageSize);
            RecoveryReport report = Pager.Recover(fs, overlay, fullPath + "-wal", acceptLoss: false, out _);
            return new RecoveredFile(overlay, fs, report);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A read-only pager over the recovered state (validates the header); it shares the file, which this object still disposes.</summary>
    public Pager OpenPager(PagerOptions options) => Pager.OpenReadOnlyOn(File, _fileSystem, options, Recovery);

    public void Dispose() => File.Dispose();
}
