using System.Text;
using System.Text.Json;
using Foundry.Engine;

namespace Foundry.Cli.Output;

/// <summary>Writes a query result as one JSON array of objects, one object per row keyed by column name, on one line.</summary>
public static class JsonResultWriter
{
    public static void Write(TextWriter writer, QueryResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonValueWriter.Options))
        {
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
            }
            json.WriteEndArray();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.Write('\n');
    }
}
