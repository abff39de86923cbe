using System.Globalization;

namespace Foundry.Cli.Output;

/// <summary>How single values are written as text by every output format.</summary>
public static class ValueText
{
    /// <summary>
    /// A REAL in shortest round-trip form that always reads back as a REAL: "3.0", not "3"; "1E+20" keeps its exponent.
    /// Returns null for NaN and the infinities, which JSON cannot hold.
    /// </summary>
    public static string? Real(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return null;
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0";
    }

    /// <summary>A value for people and CSV: invariant numbers, true/false, BLOBs in base64; null stays null.</summary>
    public static string? Display(object? value) => value switch
    {
        null => null,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Real(d) ?? d.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Convert.ToBase64String(bytes),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
