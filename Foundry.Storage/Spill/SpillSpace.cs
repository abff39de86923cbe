namespace Foundry.Storage;

/// <summary>
/// The temporary files of one statement's spilling operators, in one directory (the system temporary
/// directory unless configured). Files are named <c>foundry-spill-GUID.tmp</c> and opened
/// delete-on-close; disposing the space (the statement ended: finished, failed or cancelled) disposes
/// every file still open, so none outlives its statement. Counts what was spilled, for statistics.
/// Used by one thread at a time (the statement's).
/// </summary>
public sealed class SpillSpace : IDisposable
{
    private readonly HashSet<SpillFile> _open = new();

    public SpillSpace(string? directory = null)
    {
        Directory = directory ?? System.IO.Path.GetTempPath();
    }

    public string Directory { get; }

    /// <summary>Spill files created so far.</summary>
    public long FilesCreated { get; private set; }

    /// <summary>Bytes written to spill files so far (counted when a file is first read back).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Spill files not yet disposed.</summary>
    public int OpenFiles => _open.Count;

    public SpillFile Create()
    {
        var file = new SpillFile(this, System.IO.Path.Combine(Directory, $"foundry-spill-{Guid.NewGuid():N}.tmp"));
        _open.Add(file);
        FilesCreated++;
        return file;
    }

    internal void CountWritten(long bytes) => BytesWritten += bytes;

    internal void Forget(SpillFile file) => _open.Remove(file);

    public void Dispose()
    {
        foreach (var file in _open.ToArray()) file.Dispose();
    }
}
