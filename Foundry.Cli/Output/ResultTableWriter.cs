using Foundry.Engine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Foundry.Cli.Output;

/// <summary>
/// Draws statement results for people: a Spectre table for a query, then a status line ("(3 rows)", "INSERT 3").
/// A table's column widths depend on all of its rows, so rows are drawn in tables of at most
/// <see cref="RowsPerTable"/> rows each, as they arrive: a huge result streams with bounded memory, as psql's
/// FETCH_COUNT does, and a small one is one table.
/// </summary>
public static class ResultTableWriter
{
    /// <summary>Rows held before they are drawn.</summary>
    public const int RowsPerTable = 1000;

    private static readonly Style NullStyle = new(decoration: Decoration.Dim);

    /// <summary>Reads <paramref name="result"/> to its end and draws it.</summary>
    public static void Write(IAnsiConsole console, QueryResult result)
    {
        if (!result.ReturnsRows)
        {
            console.WriteLine(Status(result));
            return;
        }
        var table = NewTable(result);
        var rows = 0L;
        while (result.Read())
        {
            if (table.Rows.Count == RowsPerTable)
            {
                console.Write(table);
                table = NewTable(result);
            }
            var cells = new IRenderable[result.FieldCount];
            for (var i = 0; i < cells.Length; i++)
            {
                var text = ValueText.Display(result.GetValue(i));
                cells[i] = text is null ? new Text("NULL", NullStyle) : new Text(text);
            }
            if (cells.Length > 0) table.AddRow(cells);
            rows++;
        }
        if (result.FieldCount > 0 && (table.Rows.Count > 0 || rows == 0)) console.Write(table);
        console.WriteLine(rows == 1 ? "(1 row)" : $"({rows} rows)");
    }

    private static Table NewTable(QueryResult result)
    {
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var name in result.ColumnNames) table.AddColumn(new TableColumn(new Text(name, new Style(decoration: Decoration.Bold))));
        return table;
    }

    /// <summary>The command tag of a statement, with its row count for INSERT, UPDATE and DELETE.</summary>
    public static string Status(QueryResult result) => result.StatementKind switch
    {
        "INSERT" or "UPDATE" or "DELETE" => $"{result.StatementKind} {result.RowsAffected}",
        var kind => kind,
    };
}
