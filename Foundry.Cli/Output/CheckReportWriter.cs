using System.Globalization;
using Foundry.Engine;

namespace Foundry.Cli.Output;

/// <summary>
/// Prints an <see cref="IntegrityReport"/> as plain lines, one per object, each fault and note indented below
/// its object, then a totals line. Plain text rather than a table so the output can be grepped and diffed;
/// every fault line starts with its invariant number.
/// <code>
/// ok     pages       12 pages of 512 bytes, every checksum verified
/// FAULT  index t_b   on t (b), root page 4, depth 1, 2 entries
///          IC3 row (3) of table t has no entry in index t_b (expected key ('c', x'2080000000000003'))
/// </code>
/// </summary>
public static class CheckReportWriter
{
    private const string Indent = "         ";

    public static void Write(TextWriter output, IntegrityReport report)
    {
        output.WriteLine($"checking {report.Path}: {Describe(report)}");
        var labels = report.Objects.Select(Label).ToList();
        int width = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        for (var i = 0; i < report.Objects.Count; i++)
        {
            var o = report.Objects[i];
            output.WriteLine($"{(o.Ok ? "ok" : "FAULT"),-6} {labels[i].PadRight(width)}  {o.Summary}".TrimEnd());
            foreach (var fault in o.Faults) output.WriteLine(Indent + fault);
            if (o.FaultCount > o.Faults.Count) output.WriteLine($"{Indent}… and {o.FaultCount - o.Faults.Count} more faults");
            foreach (var note in o.Notes) output.WriteLine($"{Indent}note: {note}");
        }
        output.WriteLine(Totals(report));
    }

    private static string Label(IntegrityObjectReport o) => o.Kind switch
    {
        IntegrityObjectKind.Table or IntegrityObjectKind.Index or IntegrityObjectKind.View => $"{o.Kind.ToString().ToLowerInvariant()} {o.Name}",
        _ => o.Name,
    };

    private static string Describe(IntegrityReport report) =>
        report.PageSizeBytes == 0
            ? $"{report.FileBytes} bytes"
            : $"{report.FileBytes} bytes, {report.PageCount} pages of {report.PageSizeBytes} bytes";

    private static string Totals(IntegrityReport report)
    {
        var seconds = report.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        var counts = $"{report.TotalRows} rows, {report.TotalIndexEntries} index entries, {report.PageCount} pages; {seconds} s";
        if (report.Ok) return $"ok: no faults in {report.Objects.Count} objects ({counts})";
        int faulty = report.Objects.Count(o => !o.Ok);
        return $"FAULTS: {report.FaultCount} {(report.FaultCount == 1 ? "fault" : "faults")} in {faulty} of {report.Objects.Count} objects ({counts})";
    }
}
