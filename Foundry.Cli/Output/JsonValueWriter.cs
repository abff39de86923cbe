using System.Text.Encodings.Web;
using System.Text.Json;
using Foundry.Engine;
using Foundry.Runtime;

namespace Foundry.Cli.Output;

/// <summary>
/// Writes result values as JSON: NULL is null, INTEGER an integer, REAL a number that always has a decimal point
/// or exponent (NaN and the infinities, which JSON cannot hold, become null), BOOLEAN true/false, TEXT a string,
/// BLOB a base64 string.
/// </summary>
public static class JsonValueWriter
{
    /// <summary>Compact, one-line output that leaves non-ASCII text readable.</summary>
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the value of column <paramref name="ordinal"/> of the current row.</summary>
    public static void WriteValue(Utf8JsonWriter json, QueryResult result, int ordinal)
    {
        if (result.IsNull(ordinal))
        {
            json.WriteNullValue();
            return;
        }
        switch (result.ColumnTypes[ordinal])
        {
            case SqlType.Integer: json.WriteNumberValue(result.GetInt64(ordinal)); break;
            case SqlType.Real:
                if (ValueText.Real(result.GetDouble(ordinal)) is { } real) json.WriteRawValue(real, skipInputValidation: true);
                else json.WriteNullValue();
                break;
            case SqlType.Boolean: json.WriteBooleanValue(result.GetBoolean(ordinal)); break;
            case SqlType.Text: json.WriteStringValue(result.GetString(ordinal)); break;
            case SqlType.Blob: json.WriteBase64StringValue(result.GetBytes(ordinal)); break;
            default: json.WriteNullValue(); break;
        }
    }
}
