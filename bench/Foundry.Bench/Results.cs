using System.Globalization;
using System.Text.Json.Serialization;

namespace Foundry.Bench;

/// <summary>A query's result as rows of long, double or string values, compared between engines.</summary>
public sealed class ResultSet : List<object[]>
{
    public const double RelativeTolerance = 1e-9;

    /// <summary>Null when equal (doubles within the relative tolerance), else what differs first.</summary>
    public static string? Difference(ResultSet a, ResultSet b)
    {
        if (a.Count != b.Count) return $"{a.Count} rows vs {b.Count} rows";
        for (var r = 0; r < a.Count; r++)
        {
            var x = a[r];
            var y = b[r];
            if (x.Length != y.Length) return $"row {r}: {x.Length} vs {y.Length} columns";
            for (var c = 0; c < x.Length; c++)
            {
                var same = (x[c], y[c]) switch
                {
                    (double p, double q) => p == q || Math.Abs(p - q) <= RelativeTolerance * Math.Max(Math.Abs(p), Math.Abs(q)),
                    (long p, long q) => p == q,
                    (string p, string q) => string.Equals(p, q, StringComparison.Ordinal),
                    _ => false,
                };
                if (!same) return $"row {r} column {c}: {Show(x[c])} vs {Show(y[c])}";
            }
        }
        return null;
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + " (REAL)",
        long l => l.ToString(CultureInfo.InvariantCulture) + " (INTEGER)",
        string s => $"'{s}' (TEXT)",
        _ => $"{value} ({value.GetType().Name})",
    };
}

/// <summary>One workload's figures, as printed and as written to bench-results.json.</summary>
public sealed class WorkloadResult
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("foundry_s")] public double FoundryS { get; set; }
    [JsonPropertyName("sqlite_s")] public double SqliteS { get; set; }
    [JsonPropertyName("ratio")] public double Ratio => SqliteS > 0 ? FoundryS / SqliteS : double.NaN;
    [JsonPropertyName("limit_s")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LimitS { get; set; }
    [JsonPropertyName("rows")] public long Rows { get; set; }
    [JsonPropertyName("reps")] public int Reps { get; set; }
    /// <summary>Operations per timed run for rate workloads (lookups, queries, rows, commits).</summary>
    [JsonPropertyName("operations")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Operations { get; set; }
    [JsonPropertyName("unit")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Unit { get; set; }
    [JsonPropertyName("foundry_rate")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FoundryRate => Operations is { } n ? n / FoundryS : null;
    [JsonPropertyName("sqlite_rate")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? SqliteRate => Operations is { } n ? n / SqliteS : null;
    [JsonPropertyName("results_agree")] public bool ResultsAgree { get; set; } = true;
    /// <summary>Further figures: index build times, file sizes, per-statement times.</summary>
    [JsonPropertyName("extra")] public Dictionary<string, double> Extra { get; } = new();
    [JsonPropertyName("method")] public Dictionary<string, string> Method { get; } = new();

    /// <summary>The line of WORKLOADS.md "Output".</summary>
    public string Line()
    {
        var line = $"{Id} {Name} foundry={Seconds(FoundryS)}s sqlite={Seconds(SqliteS)}s ratio={Ratio.ToString("0.00", CultureInfo.InvariantCulture)}";
        if (LimitS is { } limit) line += $" limit={Seconds(limit)}s";
        if (Operations is not null) line += $" [foundry {Rate(FoundryRate!.Value)}/s, sqlite {Rate(SqliteRate!.Value)}/s]";
        if (!ResultsAgree) line += " RESULTS DISAGREE";
        return line;
    }

    public static string Seconds(double s) =>
        s.ToString(s >= 0.01 ? "0.000" : s >= 0.0001 ? "0.00000" : "0.0000000", CultureInfo.InvariantCulture);

    public static string Rate(double r) =>
        (r >= 100_000 ? Math.Round(r / 1000) * 1000 : r >= 1000 ? Math.Round(r / 10) * 10 : Math.Round(r)).ToString("#,0", CultureInfo.InvariantCulture);
}

public sealed class BenchReport
{
    [JsonPropertyName("date")] public required string Date { get; init; }
    [JsonPropertyName("machine")] public required string Machine { get; init; }
    [JsonPropertyName("sqlite_version")] public required string SqliteVersion { get; init; }
    [JsonPropertyName("rows")] public required int Rows { get; init; }
    [JsonPropertyName("reps")] public required int Reps { get; init; }
    [JsonPropertyName("cache_mb")] public required int CacheMb { get; init; }
    [JsonPropertyName("all_results_agree")] public bool AllResultsAgree { get; set; } = true;
    [JsonPropertyName("workloads")] public List<WorkloadResult> Workloads { get; } = new();
    [JsonPropertyName("notes")] public List<string> Notes { get; } = new();
}
