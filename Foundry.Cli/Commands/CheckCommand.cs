using System.CommandLine;
using System.Diagnostics;
using Foundry.Cli.Output;
using Foundry.Engine;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry check DB`: verifies every page checksum, every B+Tree invariant, the catalog, every row against its
/// table and every index against its table, and the file's page accounting, without changing the file; prints
/// one line per object with its faults. Exit code 0 when clean, 1 when a fault was found, 2 when the file could
/// not be checked at all (missing, locked by another process, unreadable).
/// </summary>
public static class CheckCommand
{
    public const int Faults = 1;
    public const int CannotCheck = 2;

    public static Command Create(CliConsole console)
    {
        var database = new Argument<string>("database") { Description = "Path of the database file to check (it is not modified)." };
        var check = new Command("check",
            "Check a database file for damage without changing it: page checksums, B+Tree invariants, catalog, rows against indexes, " +
            "free list and page accounting. Exit code 0 when clean, 1 when faults were found, 2 when the file could not be checked.")
        {
            database,
        };
        check.SetAction(parse => CommandRunner.Run(console, () => Run(console, parse.GetValue(database)!)));
        return check;
    }

    private static int Run(CliConsole console, string path)
    {
        var report = IntegrityCheck.Run(path, new ErrorProgress(console.Error));
        if (report.CannotCheck is { } reason)
        {
            console.Error.WriteLine($"foundry: cannot check: {reason}");
            return CannotCheck;
        }
        CheckReportWriter.Write(console.Out, report);
        return report.Ok ? CommandRunner.Success : Faults;
    }

    /// <summary>
    /// Progress on standard error, only for checks that take a while: nothing in the first second, then at most
    /// one line a second. Reported synchronously (not through <see cref="Progress{T}"/>, which posts to a thread pool).
    /// </summary>
    private sealed class ErrorProgress(TextWriter error) : IProgress<IntegrityProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = TimeSpan.FromSeconds(1);

        public void Report(IntegrityProgress value)
        {
            if (_clock.Elapsed < _next) return;
            _next = _clock.Elapsed + TimeSpan.FromSeconds(1);
            error.WriteLine(value.Total > 0
                ? $"checking {value.Stage}: {value.Done} of {value.Total}"
                : $"checking {value.Stage}: {value.Done}");
            error.Flush();
        }
    }
}
