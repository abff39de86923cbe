namespace Foundry.Storage;

/// <summary>
/// A spill file could not be created or written: most often the disk holding the spill directory is
/// full. The statement fails; nothing in the database changes because of it.
/// </summary>
public sealed class SpillWriteException : StorageException
{
    /// <summary>HRESULTs of "no space left": ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, and ENOSPC as .NET reports it on Unix.</summary>
    private static readonly int[] DiskFullResults = [unchecked((int)0x80070070), unchecked((int)0x80070027), 28];

    public SpillWriteException(string path, Exception inner)
        : base(Describe(path, inner), inner)
    {
        Path = path;
        DiskFull = IsDiskFull(inner);
    }

    /// <summary>The spill file that failed.</summary>
    public string Path { get; }

    public bool DiskFull { get; }

    private static bool IsDiskFull(Exception e) => DiskFullResults.Contains(e.HResult);

    private static string Describe(string path, Exception inner) =>
        IsDiskFull(inner)
            ? $"could not write temporary spill file '{path}': disk full; free space in '{System.IO.Path.GetDirectoryName(path)}' or raise the operator memory budget"
            : $"could not write temporary spill file '{path}': {inner.Message}";
}
