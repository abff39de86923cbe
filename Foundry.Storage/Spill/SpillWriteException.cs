namespace Foundry.Storage;

/// <summary>
/// A spill file could not be created or written: most often the disk holding the spill directory is
/// full. The statement fails; nothing in the database changes because of it.
/// </summary>
public sealed class SpillWriteException : StorageException
{
    public SpillWriteException(string path, Exception inner)
        : base(Describe(path, inner), inner)
    {
        Path = path;
        DiskFull = IsDiskFull(inner);
    }

    /// <summary>The spill file that failed.</summary>
    public string Path { get; }

    /// <summary>The device or quota holding the spill directory is full (the engine reports it as disk full).</summary>
    public bool DiskFull { get; }

    private static bool IsDiskFull(Exception e) => e is IOException io && ErrorClassifyingFileSystem.IsDiskFull(io);

    private static string Describe(string path, Exception inner) =>
        IsDiskFull(inner)
            ? $"could not write temporary spill file '{path}': disk full; free space in '{System.IO.Path.GetDirectoryName(path)}' or raise the operator memory budget"
            : $"could not write temporary spill file '{path}': {inner.Message}";
}
