using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Foundry.Runtime;

/// <summary>
/// Statement parameters: which .NET values a caller may supply, and how generated code reads them as
/// the parameter's SQL type. Every conversion is culture-invariant and exact; a value that does not
/// convert is FND5020 naming the parameter, never a guess:
///
/// | SQL type | accepted values                                                                 |
/// |----------|---------------------------------------------------------------------------------|
/// | INTEGER  | any .NET integer in range; a double/float with an integral value; text of an integer |
/// | REAL     | double, float, any .NET integer; text of a number (invariant: "1.5", "1e3")     |
/// | TEXT     | string; an integer or double as its invariant text; a bool as true/false          |
/// | BOOLEAN  | bool; the integers 0 and 1; text as CAST takes it (true/false, t/f, yes/no, on/off, 1/0) |
/// | BLOB     | byte[]                                                                          |
///
/// null and DBNull are NULL for every type. Any other .NET type (DateTime, DateTimeOffset, DateOnly,
/// TimeOnly, TimeSpan, Guid, decimal, char, ...) is refused before the statement runs (FND5021, see
/// <see cref="CheckSupported"/>): Foundry has no date, time, UUID or NUMERIC type yet, and storing such a
/// value as culture-formatted text, or a decimal as a double that drops digits, would be silently wrong.
/// </summary>
public static class Parameters
{
    /// <summary>
    /// Refuses a value of a type no SQL type accepts (FND5021), whether or not the statement reads it.
    /// Called by the engine before the statement runs.
    /// </summary>
    public static void CheckSupported(object?[] parameters)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i] is not (null or DBNull or bool or sbyte or byte or short or ushort or int or uint or long or ulong
                or float or double or string or byte[]))
                RuntimeErrors.ThrowUnsupportedParameterType(i + 1, parameters[i]!.GetType().Name);
        }
    }

    public static bool IsNull(StatementContext context, int index) => Get(context, index) is null or DBNull;

    public static long GetInt64(StatementContext context, int index)
    {
        var value = Get(context, index);
        long result;
        var ok = value switch
        {
            double d => IntegralDouble(d, out result),
            float f => IntegralDouble(f, out result),
            string s => long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result),
            _ => TryInteger(value, out result),
        };
        if (!ok) ThrowNotConvertible(index, value, SqlType.Integer);
        return result;
    }

    public static double GetDouble(StatementContext context, int index)
    {
        var value = Get(context, index);
        switch (value)
        {
            case double d: return d;
            case float f: return f;
            case ulong u: return u;
            case string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed): return parsed;
        }
        if (!TryInteger(value, out var integer)) ThrowNotConvertible(index, value, SqlType.Real);
        return integer;
    }

    public static bool GetBoolean(StatementContext context, int index)
    {
        var value = Get(context, index);
        switch (value)
        {
            case bool b: return b;
            case string s:
                switch (s.Trim().ToLowerInvariant())
                {
                    case "true" or "t" or "yes" or "y" or "on" or "1": return true;
                    case "false" or "f" or "no" or "n" or "off" or "0": return false;
                }
                break;
            default:
                if (TryInteger(value, out var n) && n is 0 or 1) return n == 1;
                break;
        }
        ThrowNotConvertible(index, value, SqlType.Boolean);
        return false;
    }

    public static string GetText(StatementContext context, int index)
    {
        var value = Get(context, index);
        switch (value)
        {
            case string s: return s;
            case double d: return Conversions.ToText(d);
            case float f: return Conversions.ToText((double)f);
            case bool b: return Conversions.ToText(b);
            case ulong u: return u.ToString(CultureInfo.InvariantCulture);
        }
        if (!TryInteger(value, out var integer)) ThrowNotConvertible(index, value, SqlType.Text);
        return Conversions.ToText(integer);
    }

    public static byte[] GetBlob(StatementContext context, int index)
    {
        var value = Get(context, index);
        if (value is byte[] bytes) return bytes;
        ThrowNotConvertible(index, value, SqlType.Blob);
        return [];
    }

    private static object? Get(StatementContext context, int index)
    {
        if (index < 1 || index > context.Parameters.Length) RuntimeErrors.ThrowMissingParameter(index, context.Parameters.Length);
        return context.Parameters[index - 1];
    }

    /// <summary>A .NET integer of any width whose value fits INTEGER (a ulong above long.MaxValue does not).</summary>
    private static bool TryInteger(object? value, out long result)
    {
        switch (value)
        {
            case long l: result = l; return true;
            case int i: result = i; return true;
            case short s: result = s; return true;
            case sbyte s: result = s; return true;
            case byte b: result = b; return true;
            case ushort u: result = u; return true;
            case uint u: result = u; return true;
            case ulong u when u <= long.MaxValue: result = (long)u; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>A double that is exactly an integer in INTEGER's range (3.0, not 3.5 nor 1e300).</summary>
    private static bool IntegralDouble(double d, out long result)
    {
        var ok = Math.Floor(d) == d && d >= -9.2233720368547758e18 && d < 9.2233720368547758e18;
        result = ok ? (long)d : 0;
        return ok;
    }

    [DoesNotReturn]
    private static void ThrowNotConvertible(int index, object? value, SqlType type)
    {
        var shown = value switch
        {
            string s => $"\"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
            byte[] b => $"{b.Length} byte(s)",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        RuntimeErrors.ThrowParameterNotConvertible(index, $"{shown} ({value?.GetType().Name})", type.Display());
    }
}
