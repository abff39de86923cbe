using System.Buffers;
using System.Text;
using System.Text.Unicode;
using System.Text.Json;
using Foundry.Engine;
using Foundry.Runtime;

namespace Foundry.Cli.Output;

/// <summary>
/// The JSON-lines protocol of `foundry exec DB --jsonl` (a contract: see DESIGN.md, "Contracts other parts rely on",
/// and the sqllogictest runner). One request per input line, <c>{"sql": "..."}</c>, run with
/// <see cref="Session.Execute(string, object?[])"/> in one session; exactly one response line per request, flushed at once:
/// <code>
/// {"ok":true,"columns":["a"],"types":["INTEGER"],"rows":[[1]]}        a query
/// {"ok":true,"columns":[],"types":[],"rows":[],"affected":3}           any other statement
/// {"ok":false,"error":"1:1: syntax error at 'SELEC' ...","code":"FND0001"}   any failure; "code" for Foundry's errors
/// </code>
/// Every input line gets exactly one response line, whatever its bytes: an empty line, bytes that are not valid
/// UTF-8, JSON that is not an object or has no string "sql", and a "sql" string with a lone surrogate escape
/// ("\ud800", which no UTF-8 text can hold) each get an error response naming what is wrong. Nothing ends the
/// loop but the end of input.
///
/// Rows are written as they are read, so memory stays bounded whatever the result's size. A response that stays
/// under <see cref="JsonChunks.Bytes"/> is held and written whole, in the form above. A longer one is written in
/// pieces as it grows, with "ok" moved to the end of the object (JSON objects are unordered), because whether it
/// succeeds is known only then: <c>{"columns":[…],"types":[…],"rows":[…],"ok":true}</c>, or, when reading a row
/// fails midway, the rows sent so far followed by <c>"ok":false,"error":"…"}</c>. Either way the response is one
/// line of valid JSON.
/// </summary>
public static class JsonLinesProtocol
{
    public static void Serve(Session session, IEnumerable<byte[]> requestLines, TextWriter output)
    {
        foreach (var line in requestLines)
        {
            Respond(session, line, output);
            output.Write('\n');
            output.Flush();
        }
    }

    /// <summary>The response line (without its newline) to one request line (without its newline).</summary>
    public static string Respond(Session session, byte[] line)
    {
        using var text = new StringWriter();
        Respond(session, line, text);
        return text.ToString();
    }

    /// <summary>Writes the response line (without its newline) to one request line.</summary>
    public static void Respond(Session session, byte[] line, TextWriter output)
    {
        if (ReadRequest(line, out var problem) is not { } sql)
        {
            output.Write(Error(problem));
            return;
        }
        try
        {
            using var result = session.Execute(sql);
            WriteSuccess(result, output);
        }
        catch (Exception e)
        {
            output.Write(Error(ErrorMessage(e), (e as FoundryException)?.Code));
        }
    }

    private static string ErrorMessage(Exception e) => e is FoundryException f
        ? f.LocatedMessage
        : $"internal error (a Foundry bug): {e.GetType().Name}: {e.Message}";

    /// <summary>The request's SQL, or null with <paramref name="problem"/> saying what is wrong with the line, in the order a reader meets it.</summary>
    private static string? ReadRequest(byte[] line, out string problem)
    {
        const string Expected = "expected one JSON object per line like {\"sql\": \"SELECT 1\"}";
        if (Utf8.ToUtf16(line, new char[line.Length], out var valid, out _, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            problem = $"request line is not valid UTF-8: byte 0x{line[valid]:X2} at offset {valid}; {Expected}";
            return null;
        }
        if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
        {
            problem = $"empty request line; {Expected}";
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                problem = $"request must be a JSON object like {{\"sql\": \"SELECT 1\"}}, not {root.ValueKind}";
            else if (!root.TryGetProperty("sql", out var sql) || sql.ValueKind != JsonValueKind.String)
                problem = "request has no \"sql\" string: expected {\"sql\": \"...\"}";
            else
            {
                problem = string.Empty;
                return sql.GetString();
            }
            return null;
        }
        catch (JsonException e)
        {
            problem = $"request is not valid JSON: {e.Message}";
            return null;
        }
        catch (InvalidOperationException)
        {
            // GetString cannot transcode a lone surrogate escape to text.
            problem = "request's \"sql\" is not valid Unicode: it holds a lone surrogate escape (one of \\uD800-\\uDFFF without its pair)";
            return null;
        }
    }

    /// <summary>
    /// Writes a success response, held while it is short (an exception then propagates and nothing was written),
    /// streamed once it is long (an exception then ends the line as an error; see the type comment).
    /// </summary>
    private static void WriteSuccess(QueryResult result, TextWriter output)
    {
        using var chunks = new JsonChunks(output);
        var json = chunks.Json;
        var streaming = false;
        json.WriteStartObject();
        json.WriteStartArray("columns");
        foreach (var name in result.ColumnNames) json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteStartArray("types");
        foreach (var type in result.ColumnTypes) json.WriteStringValue(type.Display());
        json.WriteEndArray();
        json.WriteStartArray("rows");
        try
        {
            while (result.Read())
            {
                json.WriteStartArray();
                for (var i = 0; i < result.FieldCount; i++) JsonValueWriter.WriteValue(json, result, i);
                json.WriteEndArray();
                streaming |= chunks.Pending >= JsonChunks.Bytes;
                if (streaming) chunks.WriteIfFull();
            }
        }
        catch (Exception e) when (streaming)
        {
            while (json.CurrentDepth > 1) json.WriteEndArray();
            json.WriteBoolean("ok", false);
            json.WriteString("error", ErrorMessage(e));
            if (e is FoundryException f) json.WriteString("code", f.Code);
            json.WriteEndObject();
            chunks.WriteAll();
            return;
        }
        json.WriteEndArray();
        if (!result.ReturnsRows) json.WriteNumber("affected", Math.Max(0, result.RowsAffected));
        if (streaming)
        {
            json.WriteBoolean("ok", true);
            json.WriteEndObject();
            chunks.WriteAll();
            return;
        }
        json.WriteEndObject();
        // Short: the documented form, "ok" first.
        output.Write("{\"ok\":true," + chunks.Take()[1..]);
    }

    /// <summary>
    /// An error response; <paramref name="code"/> (FND + four digits) is given for Foundry's own errors. A lone
    /// surrogate in the message (one quoted from the SQL text) is shown as U+FFFD, since JSON output must be valid UTF-8.
    /// </summary>
    private static string Error(string message, string? code = null) => Build(json =>
    {
        json.WriteBoolean("ok", false);
        json.WriteString("error", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(message)));
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
