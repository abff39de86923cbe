using System.Text;
using System.Text.Json;
using Foundry.Engine;
using Foundry.Runtime;

namespace Foundry.Cli.Output;

/// <summary>
/// The JSON-lines protocol of `foundry exec DB --jsonl` (a contract: see DESIGN.md, "Contracts other parts rely on",
/// and the sqllogictest runner). One request per input line, <c>{"sql": "..."}</c>, run with
/// <see cref="Session.Execute"/> in one session; exactly one response line per request, flushed at once:
/// <code>
/// {"ok":true,"columns":["a"],"types":["INTEGER"],"rows":[[1]]}        a query
/// {"ok":true,"columns":[],"types":[],"rows":[],"affected":3}           any other statement
/// {"ok":false,"error":"1:1: syntax error at 'SELEC' ...","code":"FND0001"}   any failure; "code" for Foundry's errors
/// </code>
/// Blank lines get no response. A line that is not a JSON object with a string "sql" gets an error response.
/// Nothing ends the loop but the end of input; a response is built completely before it is written, so an error
/// while reading rows never leaves half a line.
/// </summary>
public static class JsonLinesProtocol
{
    public static void Serve(Session session, TextReader input, TextWriter output)
    {
        while (input.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            output.Write(Respond(session, line) + "\n");
            output.Flush();
        }
    }

    /// <summary>The response line (without its newline) to one request line.</summary>
    public static string Respond(Session session, string line)
    {
        string sql;
        try
        {
            sql = ReadRequest(line);
        }
        catch (JsonException e)
        {
            return Error($"request is not valid JSON: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return Error(e.Message);
        }

        try
        {
            using var result = session.Execute(sql);
            return Success(result);
        }
        catch (FoundryException e)
        {
            return Error(e.LocatedMessage, e.Code);
        }
        catch (Exception e)
        {
            return Error($"internal error (a Foundry bug): {e.GetType().Name}: {e.Message}");
        }
    }

    private static string ReadRequest(string line)
    {
        using var document = JsonDocument.Parse(line);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException("request must be a JSON object like {\"sql\": \"SELECT 1\"}");
        if (!document.RootElement.TryGetProperty("sql", out var sql) || sql.ValueKind != JsonValueKind.String)
            throw new InvalidDataException("request has no \"sql\" string: expected {\"sql\": \"...\"}");
        return sql.GetString()!;
    }

    private static string Success(QueryResult result)
    {
        return Build(json =>
        {
            json.WriteBoolean("ok", true);
            json.WriteStartArray("columns");
            foreach (var name in result.ColumnNames) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteStartArray("types");
            foreach (var type in result.ColumnTypes) json.WriteStringValue(type.Display());
            json.WriteEndArray();
            json.WriteStartArray("rows");
            while (result.Read())
            {
                json.WriteStartArray();
                for (var i = 0; i < result.FieldCount; i++) JsonValueWriter.WriteValue(json, result, i);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            if (!result.ReturnsRows) json.WriteNumber("affected", Math.Max(0, result.RowsAffected));
        });
    }

    /// <summary>An error response; <paramref name="code"/> (FND + four digits) is given for Foundry's own errors.</summary>
    private static string Error(string message, string? code = null) => Build(json =>
    {
        json.WriteBoolean("ok", false);
        json.WriteString("error", message);
        if (code is not null) json.WriteString("code", code);
    });

    private static string Build(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonValueWriter.Options))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
