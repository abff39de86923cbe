using System.Buffers;
using System.Text;

namespace Foundry.Runtime;

/// <summary>
/// SQL LIKE: '%' matches any run of characters, '_' exactly one; an escape character makes the next
/// pattern character literal. Matching is case-sensitive (as in PostgreSQL) and by character, where a
/// character is a Unicode code point: '_' matches a character beyond U+FFFF (two UTF-16 units) whole,
/// as LENGTH and SUBSTR count it once.
/// </summary>
public static class LikeMatcher
{
    public static bool Matches(string text, string pattern) => Match(text, pattern, escape: null);

    public static bool Matches(string text, string pattern, string escape)
    {
        if (Rune.DecodeFromUtf16(escape, out _, out var width) != OperationStatus.Done || width != escape.Length) RuntimeErrors.ThrowInvalidEscape(escape);
        return Match(text, pattern, escape);
    }

    /// <summary>UTF-16 units of the character at i: 2 for a surrogate pair, otherwise 1.</summary>
    private static int Width(string s, int i) =>
        i + 1 < s.Length && char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;

    /// <summary>Whether the character of `a` at i is the character of `b` at j (`width` units long).</summary>
    private static bool Same(string a, int i, string b, int j, int width) =>
        i + width <= a.Length && string.CompareOrdinal(a, i, b, j, width) == 0;

    // Iterative with backtracking to the last '%': linear in practice, never exponential. Positions
    // t and p always stand at the start of a character.
    private static bool Match(string text, string pattern, string? escape)
    {
        int t = 0, p = 0, starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var width = Width(pattern, p);
                if (escape != null && Same(pattern, p, escape, 0, escape.Length) && p + width < pattern.Length)
                {
                    var literal = Width(pattern, p + width);
                    if (Same(text, t, pattern, p + width, literal)) { t += literal; p += width + literal; continue; }
                }
                else if (pattern[p] == '%') { starP = p++; starT = t; continue; }
                else if (pattern[p] == '_') { t += Width(text, t); p++; continue; }
                else if (Same(text, t, pattern, p, width)) { t += width; p += width; continue; }
            }
            if (starP < 0) return false;
            p = starP + 1;
            starT += Width(text, starT);
            t = starT;
        }
        while (p < pattern.Length && pattern[p] == '%') p++;
        return p == pattern.Length;
    }
}
