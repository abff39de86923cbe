using System.Diagnostics;

namespace Foundry.Bench;

public sealed record BenchOptions(int Rows, IReadOnlySet<string> Workloads, int Reps, int CacheMb, string Out,
    int PointLookups = Runner.DefaultPointLookups, int IndexLookups = Runner.DefaultIndexLookups,
    int RangeQueries = Runner.DefaultRangeQueries);

/// <summary>
/// Runs the workloads of WORKLOADS.md on both engines in one process: the same data, the same
/// cache budget, results compared before any time counts, medians of the timed repetitions after a
/// warm-up. Each repetition times Foundry then SQLite, so drift on a shared machine hits both.
/// </summary>
public sealed partial class Runner : IDisposable
{
    private readonly BenchOptions _options;
    private readonly BenchReport _report;
    private readonly string _dir;
    private DataSet _data = null!;
    private FoundryEngine _foundry = null!;
    private SqliteEngine _sqlite = null!;
    private int _fileNumber;

    public Runner(BenchOptions options, BenchReport report)
    {
        _options = options;
        _report = report;
        _dir = Path.Combine(Path.GetTempPath(), $"foundry-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    public bool Failed { get; private set; }

    private int N => _options.Rows;
    private int Reps => _options.Reps;

    public static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private bool Selected(string id) => _options.Workloads.Contains(id);

    public void Run()
    {
        Progress($"generating {N:#,0} rows of t and {DataSet.DRows:#,0} rows of d (seed {DataSet.Seed})");
        _data = new DataSet(N);
        _report.Notes.Add($"W1 foundry: {FoundryEngine.LoadMethod}");
        _report.Notes.Add($"W1 sqlite: {SqliteEngine.LoadMethod}");
        _report.Notes.Add($"W8 foundry: {FoundryEngine.DurableMethod}");
        _report.Notes.Add($"W8 sqlite: {SqliteEngine.DurableMethod}");

        W1Load();
        if (Selected("W2")) Emit(W2Point());
        if (Selected("W3")) Emit(W3Range());
        if (Selected("W4")) Emit(W4ScanAggregate());
        if (Selected("W5")) Emit(W5JoinAggregate());
        if (Selected("W6A")) Emit(W6aTopK());
        if (Selected("W6B")) Emit(W6bFullSort());
        if (Selected("W7")) Emit(W7SecondaryIndex());
        if (Selected("W8")) Emit(W8DurableCommits());
        if (Selected("W9")) Emit(W9Update());
    }

    private void Emit(WorkloadResult result)
    {
        _report.Workloads.Add(result);
        if (!result.ResultsAgree) _report.AllResultsAgree = false;
        Console.Out.WriteLine(result.Line());
        Console.Out.Flush();
    }

    // -----------------------------------------------------------------------------------------
    // Timing and checking
    // -----------------------------------------------------------------------------------------

    public static double Median(List<double> xs)
    {
        var sorted = xs.OrderBy(x => x).ToArray();
        var m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static (double Seconds, T Value) Time<T>(Func<T> work)
    {
        var sw = Stopwatch.StartNew();
        var value = work();
        return (sw.Elapsed.TotalSeconds, value);
    }

    /// <summary>
    /// A warm-up then `Reps` timed repetitions of `work` on each engine (Foundry then SQLite within
    /// a repetition); `reset` runs untimed after every run. Every run's results are compared.
    /// </summary>
    private WorkloadResult Measure(string id, string name, Func<IEngine, ResultSet> work, Action<IEngine>? reset = null,
        Func<ResultSet>? limit = null)
    {
        var result = new WorkloadResult { Id = id, Name = name, Rows = N, Reps = Reps };
        var fTimes = new List<double>();
        var sTimes = new List<double>();
        var lTimes = new List<double>();
        for (var rep = 0; rep <= Reps; rep++)
        {
            var label = rep == 0 ? "warm-up" : $"rep {rep}/{Reps}";
            var (fs, fr) = Time(() => work(_foundry));
            reset?.Invoke(_foundry);
            var (ss, sr) = Time(() => work(_sqlite));
            reset?.Invoke(_sqlite);
            Check(result, $"{id} {label}", fr, sr, "foundry");
            if (limit is not null)
            {
                var (ls, lr) = Time(limit);
                Check(result, $"{id} {label}", lr, sr, "limit loop");
                if (rep > 0) lTimes.Add(ls);
            }
            if (rep > 0)
            {
                fTimes.Add(fs);
                sTimes.Add(ss);
            }
            Progress($"{id} {label}: foundry {fs:0.000}s sqlite {ss:0.000}s");
        }
        result.FoundryS = Median(fTimes);
        result.SqliteS = Median(sTimes);
        if (limit is not null) result.LimitS = Median(lTimes);
        return result;
    }

    private void Check(WorkloadResult result, string what, ResultSet candidate, ResultSet sqlite, string candidateName)
    {
        var diff = ResultSet.Difference(candidate, sqlite);
        if (diff is null) return;
        result.ResultsAgree = false;
        Failed = true;
        var message = $"RESULTS DISAGREE in {what}: {candidateName} vs sqlite: {diff}";
        _report.Notes.Add(message);
        Console.Error.WriteLine();
        Console.Error.WriteLine("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        Console.Error.WriteLine($"!!! {message}");
        Console.Error.WriteLine("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        Console.Error.WriteLine();
    }

    private static ResultSet ReadAll(IRows rows, params char[] types)
    {
        var set = new ResultSet();
        using (rows)
        {
            while (rows.Read())
            {
                var row = new object[types.Length];
                for (var c = 0; c < types.Length; c++)
                    row[c] = types[c] switch
                    {
                        'i' => rows.GetInt64(c),
                        'r' => rows.GetDouble(c),
                        _ => rows.GetString(c),
                    };
                set.Add(row);
            }
        }
        return set;
    }

    private static ResultSet Single(params object[] values) => new() { values };

    private string NewFile(string engine) => Path.Combine(_dir, $"{engine}-{++_fileNumber}.{(engine == "foundry" ? "foundry" : "sqlite")}");

    private void OpenEngines(out FoundryEngine foundry, out SqliteEngine sqlite)
    {
        foundry = new FoundryEngine(NewFile("foundry"), _options.CacheMb);
        sqlite = new SqliteEngine(NewFile("sqlite"), _options.CacheMb);
        foreach (IEngine e in new IEngine[] { foundry, sqlite })
        {
            e.Run(Schema.T);
            e.Run(Schema.D);
        }
    }

    private static void Drop(IEngine engine)
    {
        var path = engine.Path;
        engine.Dispose();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }

    public void Dispose()
    {
        _foundry?.Dispose();
        _sqlite?.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException e) { Progress($"could not delete {_dir}: {e.Message}"); }
    }
}
