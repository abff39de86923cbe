using System.Text;
using System.Text.Json;
using Foundry.Engine;

namespace Foundry.Cli.Output;

/// <summary>
/// Writes a query result as one JSON array of objects, one object per row keyed by column name, on one line. The line
/// is written as the rows arrive, in pieces of about <see cref="JsonChunks.Bytes"/>, so memory stays bounded
/// whatever the result's size.
/// </summary>
public static class JsonResultWriter
{
    public static void Write(TextWriter writer, QueryResult result)
    {
        using var chunks = new JsonChunks(writer);
        var json = chunks.Json;
        json.WriteStartArray();
        while (result.Read())
        {
            json.WriteStartObject();
            for (var i = 0; i < result.FieldCount; i++)
            {
                json.WritePropertyName(result.ColumnNames[i]);
                JsonValueWriter.WriteValue(json, result, i);
            }
            json.WriteEndObject();
            chunks.WriteIfFull();
        }
        json.WriteEndArray();
        chunks.WriteAll();
        writer.Write('\n');
    }
}
