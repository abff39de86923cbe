using System.CommandLine;
using Foundry.Engine;
using Foundry.Storage;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry recover DB [--accept-loss]`: says what recovery of the database's write-ahead log would do, and
/// whether it refuses the log (damaged, of another database, synced data missing: FND5120). Without
/// --accept-loss nothing is written (both files are read-only for it, as for `foundry check`). With it, a
/// refused log is recovered up to the damage and the rest dropped, and the command prints exactly what was
/// dropped; the database then opens normally. Exit code 0 when the log is sound or its loss was accepted,
/// 1 when it is refused (or the database cannot be opened).
/// </summary>
public static class RecoverCommand
{
    public static Command Create(CliConsole console)
    {
        var database = new Argument<string>("database") { Description = "Path of the database file whose write-ahead log to recover." };
        var acceptLoss = new Option<bool>("--accept-loss")
        {
            Description = "Open a database whose log is refused anyway: recover the log up to the damage and drop the rest (printed exactly).",
        };
        var recover = new Command("recover",
            "Report what recovery of a database's write-ahead log would do, or why it refuses the log (exit code 1). " +
            "With --accept-loss, recover a refused log up to its damage, drop the rest and say exactly what was dropped.")
        {
            database, acceptLoss,
        };
        recover.SetAction(parse => CommandRunner.Run(console, () => Run(console, parse.GetValue(database)!, parse.GetValue(acceptLoss))));
        return recover;
    }

    private static int Run(CliConsole console, string path, bool acceptLoss)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"no such database file: '{path}'");
        }
        WalDamage? damage = Inspect(console, path);
        if (damage is null)
        {
            return CommandRunner.Success;
        }
        if (!acceptLoss)
        {
            console.Out.WriteLine($"recovering with --accept-loss {damage.DescribeLoss()}; nothing was changed");
            return CommandRunner.Failure;
        }
        using (var db = Database.Open(path, new DatabaseOptions { AcceptLogLoss = true }))
        {
            var loss = db.Recovery.Loss ?? throw new CommandException($"the log of '{path}' changed while it was recovered; run the command again");
            console.Out.WriteLine($"dropped: {loss.DescribeLoss()}");
            console.Out.WriteLine($"kept: {db.Recovery}");
        }
        console.Out.WriteLine($"{path} opens again; the log was started over (run `foundry check {path}` to verify the file)");
        return CommandRunner.Success;
    }

    /// <summary>Reads the log without writing anything and prints what recovery would do; returns the damage when it refuses the log.</summary>
    private static WalDamage? Inspect(CliConsole console, string path)
    {
        try
        {
            using var recovered = RecoveredFile.Open(path);
            console.Out.WriteLine(recovered.Recovery.IsNotable
                ? $"{path}: the log can be recovered: {recovered.Recovery}"
                : $"{path}: no log records to recover");
            return null;
        }
        catch (WalRefusedException e)
        {
            console.Out.WriteLine($"{path}: refused (FND5120): {e.Damage.Describe()}");
            return e.Damage;
        }
        catch (StorageException e)
        {
            throw new CommandException($"cannot read database '{path}': {e.Message}");
        }
    }
}
