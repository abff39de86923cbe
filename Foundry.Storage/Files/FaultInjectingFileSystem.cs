namespace Foundry.Storage;

/// <summary>
/// An in-memory file system that simulates what a crash does to files, for recovery tests (the idea of
/// Garnet's SimulatedFlakyDevice). Each file has a durable image (what survived the last
/// <see cref="IStorageFile.Sync"/>) and the writes and resizes issued since, in order.
///
/// <see cref="Crash"/> returns a new file system holding, for every file, its durable image plus a
/// random subset of the unsynced operations (kept in issue order), where the last kept write may be
/// torn (only a prefix of its 512-byte sectors lands), and one unsynced byte of a file may be corrupted.
/// That is the contract <see cref="IStorageFile"/> promises: synced data survives, unsynced data may be
/// lost, or torn at a sector boundary; a corrupted byte is damage, which recovery may refuse.
///
/// <see cref="FailAfterOperations"/> makes the N-th following write, sync or resize throw
/// <see cref="SimulatedCrashException"/>, to crash in the middle of an operation such as recovery.
///
/// Disk full, as the operating system reports it (an <see cref="IOException"/> whose HResult is ENOSPC,
/// 28; the operation changes nothing): <see cref="DiskFullAfterOperations"/> fails one chosen write, sync
/// or resize, and <see cref="SpaceLimitBytes"/> models a device that fills up.
/// </summary>
public sealed class FaultInjectingFileSystem : IStorageFileSystem
{
    private readonly Dictionary<string, SimFile> _files = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>When positive, counts down on every write, sync and resize; the one that reaches zero throws.</summary>
    public int FailAfterOperations { get; set; }

    /// <summary>When positive, counts down on every write, sync and resize; the one that reaches zero fails with ENOSPC.</summary>
    public int DiskFullAfterOperations { get; set; }

    /// <summary>
    /// When set, the bytes all files may hold together: a write or resize that would grow them past it fails
    /// with ENOSPC. Overwriting bytes a file already holds, and shrinking, always succeed (as on a real device
    /// whose blocks are allocated). Raising it is freeing space.
    /// </summary>
    public long? SpaceLimitBytes { get; set; }

    /// <summary>Bytes all files hold now.</summary>
    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return _files.Values.Sum(f => (long)f.Current.Count);
            }
        }
    }

    /// <summary>Write, sync and resize operations issued so far.</summary>
    public long Operations { get; private set; }

    public IStorageFile Open(string path, bool exclusive)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out SimFile? file))
            {
                file = new SimFile(this, path);
                _files[path] = file;
            }
            if (file.OpenExclusive)
            {
                throw new StorageException($"database is locked: '{path}' is open in another connection or process");
            }
            file.OpenExclusive = exclusive;
            return new Handle(file);
        }
    }

    public IStorageFile OpenReadOnly(string path, bool sharedLock)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out SimFile? file))
            {
                throw new StorageException($"cannot open '{path}' for reading: no such file");
            }
            if (sharedLock && file.OpenExclusive)
            {
                throw new StorageException($"database is locked: '{path}' is open in another connection or process");
            }
            return new Handle(file, readOnly: true);
        }
    }

    public bool Exists(string path)
    {
        lock (_gate)
        {
            return _files.ContainsKey(path);
        }
    }

    public void Delete(string path)
    {
        lock (_gate)
        {
            _files.Remove(path);
        }
    }

    /// <summary>Current (not necessarily durable) bytes of a file, for tests.</summary>
    public byte[] Contents(string path)
    {
        lock (_gate)
        {
            return _files.TryGetValue(path, out SimFile? f) ? f.Current.ToArray() : [];
        }
    }

    /// <summary>
    /// The state a crash leaves: durable bytes plus each unsynced operation kept with probability
    /// <paramref name="keepProbability"/>; with <paramref name="tearLastWrite"/> the last kept write lands
    /// only partly (a prefix of whole sectors); with <paramref name="corruptUnsynced"/> one byte of a kept unsynced write is flipped.
    /// </summary>
    public FaultInjectingFileSystem Crash(Random random, double keepProbability = 0.5, bool tearLastWrite = false, bool corruptUnsynced = false)
    {
        lock (_gate)
        {
            var next = new FaultInjectingFileSystem();
            foreach ((string path, SimFile file) in _files)
            {
                var bytes = new List<byte>(file.Durable);
                var kept = file.Pending.Where(_ => random.NextDouble() < keepProbability).ToList();
                for (int i = 0; i < kept.Count; i++)
                {
                    Op op = kept[i];
                    if (op.Data is null)
                    {
                        Resize(bytes, op.Offset);
                        continue;
                    }
                    byte[] data = op.Data;
                    if (tearLastWrite && i == kept.Count - 1)
                    {
                        data = Tear(random, data, op.Offset);
                    }
                    if (corruptUnsynced && i == kept.Count - 1 && data.Length > 0)
                    {
                        data = (byte[])data.Clone();
                        data[random.Next(data.Length)] ^= 0x5A;
                    }
                    Apply(bytes, data, op.Offset);
                }
                var copy = new SimFile(next, path);
                copy.Current.AddRange(bytes);
                copy.Durable = bytes.ToArray();
                next._files[path] = copy;
            }
            return next;
        }
    }

    /// <summary>
    /// Sectors are written atomically (docs/storage.md, "the sector assumption"): a torn write lands a
    /// prefix of its whole <see cref="SectorBytes"/>-byte sectors, cut at a sector boundary of the file.
    /// A write inside one sector is never torn.
    /// </summary>
    private static byte[] Tear(Random random, byte[] data, long offset)
    {
        long firstBoundary = (offset / SectorBytes + 1) * SectorBytes;
        long end = offset + data.Length;
        if (firstBoundary >= end)
        {
            return data;
        }
        int boundaries = (int)((end - 1 - firstBoundary) / SectorBytes) + 1;
        long cut = firstBoundary + (long)random.Next(boundaries) * SectorBytes;
        return data[..(int)(cut - offset)];
    }

    /// <summary>The unit a write is atomic in.</summary>
    public const int SectorBytes = 512;

    /// <summary>Counts an operation that would grow <paramref name="file"/> to <paramref name="newLength"/> bytes (gate held); throws the chosen faults.</summary>
    private void Count(SimFile file, long newLength)
    {
        Operations++;
        if (FailAfterOperations > 0 && --FailAfterOperations == 0)
        {
            throw new SimulatedCrashException();
        }
        long growth = Math.Max(0, newLength - file.Current.Count);
        if ((DiskFullAfterOperations > 0 && --DiskFullAfterOperations == 0)
            || (growth > 0 && SpaceLimitBytes is { } limit && _files.Values.Sum(f => (long)f.Current.Count) + growth > limit))
        {
            throw new IOException($"No space left on device : '{file.Path}'", DiskFullHResult);
        }
    }

    /// <summary>What .NET on Unix puts in an IOException's HResult for ENOSPC: the errno.</summary>
    private const int DiskFullHResult = 28;

    private static void Resize(List<byte> bytes, long length)
    {
        if (bytes.Count > length)
        {
            bytes.RemoveRange((int)length, bytes.Count - (int)length);
        }
        while (bytes.Count < length)
        {
            bytes.Add(0);
        }
    }

    private static void Apply(List<byte> bytes, ReadOnlySpan<byte> data, long offset)
    {
        if (bytes.Count < offset + data.Length)
        {
            Resize(bytes, offset + data.Length);
        }
        for (int i = 0; i < data.Length; i++)
        {
            bytes[(int)offset + i] = data[i];
        }
    }

    private sealed record Op(long Offset, byte[]? Data);

    private sealed class SimFile(FaultInjectingFileSystem owner, string path)
    {
        public readonly FaultInjectingFileSystem Owner = owner;
        public readonly string Path = path;
        public readonly List<byte> Current = new();
        public readonly List<Op> Pending = new();
        public byte[] Durable = [];
        public bool OpenExclusive;
    }

    private sealed class Handle(SimFile file, bool readOnly = false) : IStorageFile
    {
        private bool _closed;

        private void ThrowIfReadOnly()
        {
            if (readOnly)
            {
                throw new StorageException($"'{file.Path}' is opened read-only");
            }
        }

        public string Path => file.Path;

        public long Length
        {
            get
            {
                lock (file.Owner._gate)
                {
                    return file.Current.Count;
                }
            }
        }

        public int Read(Span<byte> buffer, long offset)
        {
            lock (file.Owner._gate)
            {
                int n = (int)Math.Clamp(file.Current.Count - offset, 0, buffer.Length);
                for (int i = 0; i < n; i++)
                {
                    buffer[i] = file.Current[(int)offset + i];
                }
                return n;
            }
        }

        public void Write(ReadOnlySpan<byte> buffer, long offset)
        {
            ThrowIfReadOnly();
            lock (file.Owner._gate)
            {
                file.Owner.Count(file, offset + buffer.Length);
                Apply(file.Current, buffer, offset);
                file.Pending.Add(new Op(offset, buffer.ToArray()));
            }
        }

        public void Sync()
        {
            ThrowIfReadOnly();
            lock (file.Owner._gate)
            {
                file.Owner.Count(file, 0);
                file.Durable = file.Current.ToArray();
                file.Pending.Clear();
            }
        }

        public void SetLength(long length)
        {
            ThrowIfReadOnly();
            lock (file.Owner._gate)
            {
                file.Owner.Count(file, length);
                Resize(file.Current, length);
                file.Pending.Add(new Op(length, null));
            }
        }

        public void Dispose()
        {
            lock (file.Owner._gate)
            {
                if (!_closed)
                {
                    _closed = true;
                    if (!readOnly)
                    {
                        file.OpenExclusive = false;
                    }
                }
            }
        }
    }
}

/// <summary>Thrown by <see cref="FaultInjectingFileSystem"/> at the operation chosen to crash.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException() : base("simulated crash") { }
}
