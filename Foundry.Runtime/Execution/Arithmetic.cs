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

    // REAL arithmetic follows PostgreSQL's float8 operators: an infinite result from finite operands
    // is an overflow and a zero result from non-zero operands an underflow, both errors (FND5040),
    // never a silent infinity or zero. Infinite operands (from CAST('Infinity' AS REAL)) stay allowed.

    public static double Add(double left, double right) => Finite(left + right, left, right);

    public static double Subtract(double left, double right) => Finite(left - right, left, right);

    public static double Multiply(double left, double right)
    {
        var result = Finite(left * right, left, right);
        if (result == 0.0 && left != 0.0 && right != 0.0) RuntimeErrors.ThrowRealUnderflow();
        return result;
    }

    public static double Divide(double left, double right)
    {
        if (right == 0.0) RuntimeErrors.ThrowDivisionByZero();
        var result = left / right;
        if (double.IsInfinity(result) && !double.IsInfinity(left)) RuntimeErrors.ThrowRealOverflow();
        if (result == 0.0 && left != 0.0 && !double.IsInfinity(right)) RuntimeErrors.ThrowRealUnderflow();
        return result;
    }

    /// <summary>The result of an operation on two REALs, or FND5040 when finite operands gave infinity.</summary>
    public static double Finite(double result, double left, double right)
    {
        if (double.IsInfinity(result) && !double.IsInfinity(left) && !double.IsInfinity(right)) RuntimeErrors.ThrowRealOverflow();
        return result;
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
