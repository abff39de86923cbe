using Foundry.Compiler;

namespace Foundry.Engine;

/// <summary>Facts about SQL text that tools need without running it.</summary>
public static class SqlText
{
    /// <summary>True when the text ends with a ';' outside strings, quoted identifiers and comments.</summary>
    public static bool IsCompleteStatement(string text) => SqlCompiler.IsCompleteStatement(text);
}
