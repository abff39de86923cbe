using Foundry.Engine;
using Spectre.Console;

namespace Foundry.Cli.Shell;

/// <summary>The shell's dot-commands that print something about the database.</summary>
public static class DotCommands
{
    public const string HelpText =
        """
        Enter SQL statements ending with ';' (they may span several lines), or a command:
          .help              show this help
          .tables            list the tables
          .schema [TABLE]    show the CREATE TABLE statement of every table, or of one
          .timer on|off      show how long each statement took
          .quit / .exit      leave the shell

        """;

    /// <summary>The table names, one per line, in name order.</summary>
    public static void Tables(IAnsiConsole console, Database db)
    {
        foreach (var table in db.Tables) console.WriteLine(table.Name);
    }

    /// <summary>CREATE TABLE statements for all tables, or for the one named (case-insensitive).</summary>
    public static void Schema(IAnsiConsole console, Database db, string? tableName)
    {
        var tables = db.Tables.Where(t => tableName is null || string.Equals(t.Name, tableName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (tableName is not null && tables.Count == 0)
        {
            console.Write(new Text($"no such table: {tableName}\n", new Style(Color.Yellow)));
            return;
        }
        foreach (var table in tables) console.WriteLine(table.ToSql() + ";");
    }
}
