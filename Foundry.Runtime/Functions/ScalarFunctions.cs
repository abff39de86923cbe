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
    public static string Trim(string value, string characters) => value.Trim(characters.ToCharArray());
    public static string LTrim(string value) => value.TrimStart(' ');
    public static string LTrim(string value, string characters) => value.TrimStart(characters.ToCharArray());
    public static string RTrim(string value) => value.TrimEnd(' ');
    public static string RTrim(string value, string characters) => value.TrimEnd(characters.ToCharArray());

    public static string Replace(string value, string from, string to) =>
        from.Length == 0 ? value : value.Replace(from, to, StringComparison.Ordinal);

    /// <summary>Rounds half away from zero.</summary>
    public static double Round(double value) => Math.Round(value, MidpointRounding.AwayFromZero);

    public static double Round(double value, long digits)
    {
        if (digits < 0 || digits > 15) return digits < 0 ? Math.Round(value / Math.Pow(10, -digits), MidpointRounding.AwayFromZero) * Math.Pow(10, -digits) : value;
        return Math.Round(value, (int)digits, MidpointRounding.AwayFromZero);
    }

    private static long ThrowOverflow()
    {
        RuntimeErrors.ThrowIntegerOverflow();
        return 0;
    }
}
