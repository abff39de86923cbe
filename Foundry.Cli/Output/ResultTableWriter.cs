using Foundry.Engine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Foundry.Cli.Output;

/// <summary>Draws statement results for people: a Spectre table for a query, then a status line ("(3 rows)", "INSERT 3").</summary>
public static class ResultTableWriter
{
    private static readonly Style NullStyle = new(decoration: Decoration.Dim);

    /// <summary>Reads <paramref name="result"/> to its end and draws it.</summary>
    public static void Write(IAnsiConsole console, QueryResult result)
    {
        if (!result.ReturnsRows)
        {
            console.WriteLine(Status(result));
            return;
        }
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var name in result.ColumnNames) table.AddColumn(new TableColumn(new Text(name, new Style(decoration: Decoration.Bold))));
        var rows = 0L;
        while (result.Read())
        {
            var cells = new IRenderable[result.FieldCount];
            for (var i = 0; i < cells.Length; i++)
            {
                var text = ValueText.Display(result.GetValue(i));
                cells[i] = text is null ? new Text("NULL", NullStyle) : new Text(text);
            }
            if (cells.Length > 0) table.AddRow(cells);
            rows++;
        }
        if (result.FieldCount > 0) console.Write(table);
        console.WriteLine(rows == 1 ? "(1 row)" : $"({rows} rows)");
    }

    /// <summary>The command tag of a statement, with its row count for INSERT, UPDATE and DELETE.</summary>
    public static string Status(QueryResult result) => result.StatementKind switch
    {
        "INSERT" or "UPDATE" or "DELETE" => $"{result.StatementKind} {result.RowsAffected}",
        var kind => kind,
    };
}
