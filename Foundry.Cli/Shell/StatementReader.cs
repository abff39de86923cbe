using System.Text;
using Foundry.Engine;

namespace Foundry.Cli.Shell;

/// <summary>
/// Groups input lines into <see cref="ShellInput"/>s. A line starting with '.' outside a statement is a dot-command;
/// otherwise lines are gathered until the text ends with a ';' that is outside literals and comments
/// (<see cref="SqlText.IsCompleteStatement"/>). Blank lines between statements are skipped. At the end of input an
/// unfinished statement is still returned, so a script's last statement needs no ';'.
/// </summary>
public sealed class StatementReader(ILineSource lines)
{
    /// <summary>The next unit, or null at the end of input.</summary>
    public ShellInput? Next()
    {
        var buffer = new StringBuilder();
        while (lines.ReadLine(continuation: buffer.Length > 0) is { } line)
        {
            if (buffer.Length == 0)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                if (line.TrimStart().StartsWith('.')) return new ShellInput.DotCommand(line.Trim());
            }
            else
            {
                buffer.Append('\n');
            }
            buffer.Append(line);
            var text = buffer.ToString();
            if (SqlText.IsCompleteStatement(text)) return new ShellInput.Sql(text);
        }
        return buffer.Length == 0 ? null : new ShellInput.Sql(buffer.ToString());
    }
}
