namespace Foundry.Runtime;

/// <summary>
/// SQL arithmetic with PostgreSQL's error behaviour, called from generated code: integer overflow and
/// division by zero are errors, never a silent wrap or NULL. Addition, subtraction and multiplication
/// of integers are emitted as checked IL operations directly; these helpers cover what IL cannot.
/// </summary>
public static class Arithmetic
{
    public static long Divide(long left, long right)
    {
        if (right == 0) RuntimeErrors.ThrowDivisionByZero();
        if (right == -1)
        {
            if (left == long.MinValue) RuntimeErrors.ThrowIntegerOverflow();
            return -left;
        }
        return left / right; // truncates toward zero
    }

    public static long Remainder(long left, long right)
    {
        if (right == 0) RuntimeErrors.ThrowDivisionByZero();
        return right == -1 ? 0 : left % right;
    }

    public static double Divide(double left, double right)
    {
        if (right == 0.0) RuntimeErrors.ThrowDivisionByZero();
        return left / right;
    }

    public static double Remainder(double left, double right)
    {
        if (right == 0.0) RuntimeErrors.ThrowDivisionByZero();
        return left % right; // fmod: the result has the sign of the dividend
    }

    public static long Negate(long value)
    {
        if (value == long.MinValue) RuntimeErrors.ThrowIntegerOverflow();
        return -value;
    }

    /// <summary>Ordinal comparison of UTF-16 strings gives the same order as UTF-8 bytes except for surrogates; text is compared by code point.</summary>
    public static int CompareText(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var a = left[i];
            var b = right[i];
            if (a == b) continue;
            // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after every BMP character.
            var aHigh = char.IsSurrogate(a);
            var bHigh = char.IsSurrogate(b);
            if (aHigh != bHigh) return aHigh ? 1 : -1;
            return a < b ? -1 : 1;
        }
        return left.Length.CompareTo(right.Length);
    }

    public static string Concat(string left, string right) => string.Concat(left, right);
}
