using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Foundry.Bench;

var all = new[] { "W1", "W2", "W3", "W4", "W5", "W6a", "W6b", "W7", "W8", "W9" };

var rows = new Option<int>("--rows") { Description = "N, the rows of t.", DefaultValueFactory = _ => 1_000_000 };
var workloads = new Option<string>("--workloads") { Description = $"Comma-separated workloads to time ({string.Join(",", all)}; W6 means both W6a and W6b).", DefaultValueFactory = _ => string.Join(",", all) };
var reps = new Option<int>("--reps") { Description = "Timed repetitions per workload (after one warm-up); the median is reported.", DefaultValueFactory = _ => 5 };
var cacheMb = new Option<int>("--cache-mb") { Description = "Page cache for each engine, MiB (Foundry's buffer pool and SQLite's cache_size).", DefaultValueFactory = _ => 256 };
var output = new Option<string>("--out") { Description = "Where to write the machine-readable results.", DefaultValueFactory = _ => "bench-results.json" };
var pointLookups = new Option<int>("--point-lookups") { Description = "W2 lookups per repetition (WORKLOADS.md: 100,000; fewer only to keep a slow engine's run short, reported as a deviation).", DefaultValueFactory = _ => Runner.DefaultPointLookups };
var indexLookups = new Option<int>("--index-lookups") { Description = "W7 queries per repetition (WORKLOADS.md: 10,000; fewer only to keep a slow engine's run short, reported as a deviation).", DefaultValueFactory = _ => Runner.DefaultIndexLookups };
var rangeQueries = new Option<int>("--range-queries") { Description = "W3 queries per repetition (WORKLOADS.md: 1,000; fewer only to keep a slow engine's run short, reported as a deviation).", DefaultValueFactory = _ => Runner.DefaultRangeQueries };
var loadBatch = new Option<int>("--load-batch") { Description = "Rows per multi-row INSERT in Foundry's W1 load while it has no BEGIN/COMMIT.", DefaultValueFactory = _ => FoundryEngine.LoadBatchRows };
var breakdown = new Option<bool>("--breakdown") { Description = "Instead of the workloads: Stopwatch splits on Foundry alone that show where its time goes (see bench/README.md)." };
rows.Validators.Add(r => { if (r.GetValue(rows) < 100) r.AddError("--rows must be at least 100"); });
reps.Validators.Add(r => { if (r.GetValue(reps) < 1) r.AddError("--reps must be at least 1"); });
cacheMb.Validators.Add(r => { if (r.GetValue(cacheMb) < 1) r.AddError("--cache-mb must be at least 1"); });

var root = new RootCommand("Foundry.Bench: the workloads of shared/bench/WORKLOADS.md on Foundry and on SQLite, side by side.")
{
    rows, workloads, reps, cacheMb, output, pointLookups, indexLookups, rangeQueries, loadBatch, breakdown,
};
root.SetAction(parse =>
{
    FoundryEngine.LoadBatchRows = parse.GetValue(loadBatch);
    if (parse.GetValue(breakdown))
    {
        Console.WriteLine($"Foundry breakdown, N={parse.GetValue(rows):#,0}");
        Breakdown.Run(parse.GetValue(rows), parse.GetValue(cacheMb));
        return 0;
    }
    var selected = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    foreach (var w in parse.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        var id = w.ToUpperInvariant();
        if (id == "W6") { selected.Add("W6A"); selected.Add("W6B"); continue; }
        if (!all.Contains(id, StringComparer.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"unknown workload '{w}' (known: {string.Join(", ", all)})");
            return 2;
        }
        selected.Add(id);
    }
    var options = new BenchOptions(parse.GetValue(rows), selected, parse.GetValue(reps), parse.GetValue(cacheMb), parse.GetValue(output)!,
        parse.GetValue(pointLookups), parse.GetValue(indexLookups), parse.GetValue(rangeQueries));
    var report = new BenchReport
    {
        Date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        Machine = Machine(),
        SqliteVersion = SqliteEngine.Version,
        Rows = options.Rows,
        Reps = options.Reps,
        CacheMb = options.CacheMb,
    };
    Runner.Progress($"{report.Machine}; SQLite {report.SqliteVersion}; N={options.Rows:#,0} reps={options.Reps} cache={options.CacheMb} MiB");
    var failed = false;
    using (var runner = new Runner(options, report))
    {
        try
        {
            runner.Run();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"!!! benchmark aborted: {e}");
            report.Notes.Add($"aborted: {e.GetType().Name}: {e.Message}");
            failed = true;
        }
        failed |= runner.Failed;
    }
    report.AllResultsAgree &= !failed;
    File.WriteAllText(options.Out, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    Runner.Progress($"wrote {Path.GetFullPath(options.Out)}");
    if (failed) Console.Error.WriteLine("!!! FAILED: results disagree between the engines (or the run aborted); see above.");
    return failed ? 1 : 0;
});
return root.Parse(args).Invoke();

static string Machine()
{
    var cpu = "unknown CPU";
    try
    {
        cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
    }
    catch (IOException) { }
    catch (UnauthorizedAccessException) { }
    var memGb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
    return $"{cpu}, {Environment.ProcessorCount} cores, {memGb:0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}
