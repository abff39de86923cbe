using Foundry.Engine;

namespace Foundry.Cli.Output;

/// <summary>
/// Writes a query result as RFC 4180 CSV: a header of column names, CRLF line ends, a field quoted when it holds
/// a comma, a quote, CR or LF (quotes doubled). NULL is an empty field; an empty string is written as "".
/// </summary>
public static class CsvResultWriter
{
    private const string LineEnd = "\r\n";

    public static void Write(TextWriter writer, QueryResult result)
    {
        writer.Write(string.Join(",", result.ColumnNames.Select(Field)));
        writer.Write(LineEnd);
        while (result.Read())
        {
            for (var i = 0; i < result.FieldCount; i++)
            {
                if (i > 0) writer.Write(',');
                var text = ValueText.Display(result.GetValue(i));
                if (text is not null) writer.Write(text.Length == 0 ? "\"\"" : Field(text));
            }
            writer.Write(LineEnd);
        }
    }

    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
