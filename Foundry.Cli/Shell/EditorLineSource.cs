using RadLine;
using Spectre.Console;

namespace Foundry.Cli.Shell;

/// <summary>Lines typed at a terminal, with RadLine's line editing and history (up/down recall earlier lines).</summary>
public sealed class EditorLineSource : ILineSource
{
    private readonly ShellPrompt _prompt = new();
    private readonly LineEditor _editor;

    public EditorLineSource(IAnsiConsole console)
    {
        _editor = new LineEditor(console) { MultiLine = false, Prompt = _prompt };
    }

    /// <summary>True when <paramref name="console"/> is a terminal that RadLine can drive.</summary>
    public static bool IsSupported(IAnsiConsole console) => LineEditor.IsSupported(console);

    /// <summary>The typed line; an empty line when editing is cancelled.</summary>
    public string? ReadLine(bool continuation)
    {
        _prompt.Continuation = continuation;
        return _editor.ReadLine(CancellationToken.None).GetAwaiter().GetResult() ?? "";
    }

    /// <summary>"foundry>" for a new statement, "...>" while a statement is unfinished (RadLine fixes the prompt object at construction).</summary>
    private sealed class ShellPrompt : ILineEditorPrompt
    {
        private static readonly Markup First = new("[green]foundry>[/]");
        private static readonly Markup More = new("[grey]   ...>[/]");

        public bool Continuation { get; set; }

        public (Markup Markup, int Margin) GetPrompt(ILineEditorState state, int line) => (Continuation ? More : First, 1);
    }
}
