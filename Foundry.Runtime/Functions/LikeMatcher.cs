namespace Foundry.Runtime;

/// <summary>
/// SQL LIKE: '%' matches any run of characters, '_' exactly one; an escape character makes the next
/// pattern character literal. Matching is case-sensitive (as in PostgreSQL) and by character.
/// </summary>
public static class LikeMatcher
{
    public static bool Matches(string text, string pattern) => Match(text, 0, pattern, 0, '\0', hasEscape: false);

    public static bool Matches(string text, string pattern, string escape)
    {
        if (escape.Length != 1) RuntimeErrors.ThrowInvalidEscape(escape);
        return Match(text, 0, pattern, 0, escape[0], hasEscape: true);
    }

    // Iterative with backtracking to the last '%': linear in practice, never exponential.
    private static bool Match(string text, int t, string pattern, int p, char escape, bool hasEscape)
    {
        int starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (hasEscape && c == escape && p + 1 < pattern.Length)
                {
                    if (text[t] == pattern[p + 1]) { t++; p += 2; continue; }
                }
                else if (c == '%') { starP = p++; starT = t; continue; }
                else if (c == '_' || c == text[t]) { t++; p++; continue; }
            }
            if (starP < 0) return false;
            p = starP + 1;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == '%') p++;
        return p == pattern.Length;
    }
}
