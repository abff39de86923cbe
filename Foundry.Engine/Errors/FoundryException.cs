namespace Foundry.Engine;

/// <summary>
/// An error a user caused: bad SQL, an unknown name, a constraint violation. <see cref="Code"/> is the
/// diagnostic code (FND + four digits); <see cref="Line"/> and <see cref="Column"/> are 1-based and present
/// when the error has a place in the SQL text. The statement that raised it changed nothing.
/// </summary>
public sealed class FoundryException : Exception
{
    public FoundryException(string code, string message, string sqlText, int? line, int? column, int? endColumn, string rendered, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        SqlText = sqlText;
        Line = line;
        Column = column;
        EndColumn = endColumn;
        Rendered = rendered;
    }

    public string Code { get; }
    public string SqlText { get; }
    public int? Line { get; }
    public int? Column { get; }
    public int? EndColumn { get; }

    /// <summary>The headline, the source line and a caret under the offending text (no source name).</summary>
    public string Rendered { get; }

    /// <summary><c>line:column: message</c>, or the bare message when the error has no place in the text.</summary>
    public string LocatedMessage => Line is { } l && Column is { } c ? $"{l}:{c}: {Message}" : Message;
}
