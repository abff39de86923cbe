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

    /// <summary>REAL to INTEGER truncates toward zero (out of range is an error).</summary>
    public static long ToInt64(double value)
    {
        if (double.IsNaN(value) || value < -9.2233720368547758e18 || value >= 9.2233720368547758e18) RuntimeErrors.ThrowIntegerOverflow();
        return (long)value;
    }

    public static long ToInt64(bool value) => value ? 1 : 0;
    public static double ToDouble(bool value) => value ? 1.0 : 0.0;
    public static bool ToBoolean(long value) => value != 0;

    public static long ToInt64(string value)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)) RuntimeErrors.ThrowInvalidCast(value, "INTEGER");
        return result;
    }

    public static double ToDouble(string value)
    {
        switch (ParseReal(value.Trim(), out var result))
        {
            case RealText.Invalid: RuntimeErrors.ThrowInvalidCast(value, "REAL"); break;
            case RealText.OutOfRange: RuntimeErrors.ThrowRealTextOutOfRange(value.Trim()); break;
        }
        return result;
    }

    /// <summary>What a REAL's text reads as (<see cref="ParseReal"/>).</summary>
    public enum RealText { Value, OutOfRange, Invalid }

    /// <summary>
    /// Reads REAL text (a literal or a cast's operand). As PostgreSQL's float8in, digits whose value
    /// is beyond double range (1e999) or so small it rounds to zero (1e-999) are out of range, not
    /// infinity or zero; the words Infinity and NaN stay readable.
    /// </summary>
    public static RealText ParseReal(string text, out double value)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return RealText.Invalid;
        if (double.IsInfinity(value) && !text.Contains("inf", StringComparison.OrdinalIgnoreCase)) return RealText.OutOfRange;
        if (value == 0.0)
        {
            var exponent = text.IndexOfAny(['e', 'E']);
            var mantissa = exponent < 0 ? text : text[..exponent];
            if (mantissa.Any(c => c is >= '1' and <= '9')) return RealText.OutOfRange;
        }
        return RealText.Value;
    }

    public static bool ToBoolean(string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "t" or "yes" or "y" or "on" or "1" => true,
        "false" or "f" or "no" or "n" or "off" or "0" => false,
        _ => ThrowBoolean(value),
    };

    public static byte[] ToBlob(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static bool ThrowBoolean(string value)
    {
        RuntimeErrors.ThrowInvalidCast(value, "BOOLEAN");
        return false;
    }
}
