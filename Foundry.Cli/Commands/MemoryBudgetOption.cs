using System.CommandLine.Parsing;

namespace Foundry.Cli.Commands;

/// <summary>
/// Parses `--memory-budget SIZE`: a positive number of bytes, optionally with a binary suffix K, M or G
/// (KiB, MiB, GiB; case-insensitive, an optional trailing "B" or "iB" allowed: 4M, 4MB, 4MiB, 512B).
/// </summary>
public static class MemoryBudgetOption
{
    public static long? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        if (TryParse(text, out var bytes)) return bytes;
        result.AddError($"--memory-budget: '{text}' is not a size; give a positive number of bytes, optionally with K, M or G (for example 4M)");
        return null;
    }

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var upper = text.ToUpperInvariant();
        if (upper.EndsWith("IB")) upper = upper[..^2];
        else if (upper.EndsWith('B')) upper = upper[..^1];
        var shift = upper.EndsWith('K') ? 10 : upper.EndsWith('M') ? 20 : upper.EndsWith('G') ? 30 : 0;
        if (shift > 0) upper = upper[..^1];
        if (!long.TryParse(upper, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1) return false;
        if (n > long.MaxValue >> shift) return false;
        bytes = n << shift;
        return true;
    }
}
