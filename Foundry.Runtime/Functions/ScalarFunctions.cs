using System.Globalization;
using System.Text;

namespace Foundry.Runtime;

/// <summary>
/// The built-in scalar functions, called from generated code with non-NULL arguments (generated code
/// returns NULL itself when an argument is NULL). Text positions count characters from 1, as in SQL.
/// </summary>
public static class ScalarFunctions
{
    public static long Abs(long value) => value == long.MinValue ? ThrowOverflow() : Math.Abs(value);
    public static double Abs(double value) => Math.Abs(value);

    /// <summary>Characters are Unicode code points: a character outside the BMP counts once.</summary>
    public static long Length(string value)
    {
        var count = 0L;
        foreach (var _ in value.EnumerateRunes()) count++;
        return count;
    }
    public static string Upper(string value) => value.ToUpperInvariant();
    public static string Lower(string value) => value.ToLowerInvariant();

    /// <summary>
    /// SUBSTR(s, start[, length]) with SQL's 1-based start, counting code points; a start before 1
    /// shortens the result.
    /// </summary>
    public static string Substr(string value, long start, long length)
    {
        if (length < 0) RuntimeErrors.ThrowNegativeSubstringLength();
        var first = start - 1;
        var end = first + length;
        var builder = new StringBuilder();
        var position = 0L;
        foreach (var rune in value.EnumerateRunes())
        {
            if (position >= first && position < end) builder.Append(rune.ToString());
            position++;
        }
        return builder.ToString();
    }

    public static string Substr(string value, long start) => Substr(value, start, Math.Max(0, Length(value) - start + 1));

    public static string Trim(string value) => value.Trim(' ');
    public static string Trim(string value, string characters) => RTrim(LTrim(value, characters), characters);
    public static string LTrim(string value) => value.TrimStart(' ');
    public static string RTrim(string value) => value.TrimEnd(' ');

    /// <summary>Drops leading characters of the set; characters are code points, so a pair is never split.</summary>
    public static string LTrim(string value, string characters)
    {
        var start = 0;
        while (start < value.Length && Rune.DecodeFromUtf16(value.AsSpan(start), out var rune, out var width) == System.Buffers.OperationStatus.Done && Contains(characters, rune))
            start += width;
        return value[start..];
    }

    /// <summary>Drops trailing characters of the set, by code point.</summary>
    public static string RTrim(string value, string characters)
    {
        var end = value.Length;
        while (end > 0 && Rune.DecodeLastFromUtf16(value.AsSpan(0, end), out var rune, out var width) == System.Buffers.OperationStatus.Done && Contains(characters, rune))
            end -= width;
        return value[..end];
    }

    private static bool Contains(string characters, Rune rune)
    {
        foreach (var c in characters.EnumerateRunes())
            if (c == rune) return true;
        return false;
    }

    public static string Replace(string value, string from, string to) =>
        from.Length == 0 ? value : value.Replace(from, to, StringComparison.Ordinal);

    /// <summary>Rounds half away from zero.</summary>
    public static double Round(double value) => Math.Round(value, MidpointRounding.AwayFromZero);

    /// <summary>
    /// ROUND(x, d): half away from zero at d digits after the point (d &lt; 0: before it). Beyond
    /// double's range of powers of ten the answer is PostgreSQL's: x itself for d &gt; 15 (every digit
    /// kept), 0 for a power of ten larger than any finite x (ROUND(1.5, -400) = 0).
    /// </summary>
    public static double Round(double value, long digits)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || digits > 15) return value;
        if (digits >= 0) return Math.Round(value, (int)digits, MidpointRounding.AwayFromZero);
        var scale = Math.Pow(10, -(double)digits);
        if (double.IsInfinity(scale)) return 0.0;
        var result = Math.Round(value / scale, MidpointRounding.AwayFromZero) * scale;
        return Arithmetic.Finite(result, value, scale);
    }

    private static long ThrowOverflow()
    {
        RuntimeErrors.ThrowIntegerOverflow();
        return 0;
    }
}
