using System.Globalization;

namespace Foundry.Runtime;

/// <summary>Value conversions called from generated code (CAST and the implicit casts of ||).</summary>
public static class Conversions
{
    public static string ToText(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shortest text that reads back as the same double, always with a decimal point or exponent.</summary>
    public static string ToText(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || text.Contains("N", StringComparison.Ordinal) || text.Contains('I') ? text : text + ".0";
    }

    public static string ToText(bool value) => value ? "true" : "false";
}
