using Spectre.Console;

namespace Foundry.Cli;

/// <summary>
/// The standard streams a command reads and writes. Commands never touch <see cref="Console"/> directly,
/// so tests can run them in-process with string readers and writers.
/// </summary>
public sealed class CliConsole
{
    /// <summary>Width given to Spectre when output is not a terminal, so tables are not wrapped at 80 columns.</summary>
    private const int RedirectedWidth = 240;

    public CliConsole(TextReader input, TextWriter output, TextWriter error, bool inputIsTerminal, bool outputIsTerminal, Stream? inputBytes = null)
    {
        In = input;
        InputBytes = inputBytes;
        Out = output;
        Error = error;
        InputIsTerminal = inputIsTerminal;
        OutputIsTerminal = outputIsTerminal;
    }

    public TextReader In { get; }

    /// <summary>
    /// Standard input as raw bytes, for readers that must see bytes that are not valid UTF-8 (`exec --jsonl`);
    /// null when the input is only text (in-process tests), then <see cref="In"/> is read instead.
    /// </summary>
    public Stream? InputBytes { get; }
    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public bool InputIsTerminal { get; }
    public bool OutputIsTerminal { get; }

    /// <summary>True when a person is typing and watching: line editing, prompts and colours are used.</summary>
    public bool IsInteractive => InputIsTerminal && OutputIsTerminal;

    public static CliConsole FromSystem() =>
        new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected, !Console.IsOutputRedirected, Console.OpenStandardInput());

    /// <summary>
    /// Until disposed, Ctrl+C runs <paramref name="interrupt"/> instead of ending the process (the shell cancels its
    /// running statement with it). The one place a command touches <see cref="Console"/>'s events.
    /// </summary>
    public IDisposable OnInterrupt(Action interrupt)
    {
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            e.Cancel = true;
            interrupt();
        };
        Console.CancelKeyPress += handler;
        return new Unsubscribe(() => Console.CancelKeyPress -= handler);
    }

    private sealed class Unsubscribe(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>A Spectre console over standard output: ANSI and colour only when it is a terminal.</summary>
    public IAnsiConsole CreateAnsiOut() => CreateAnsi(Out, OutputIsTerminal);

    private static IAnsiConsole CreateAnsi(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!terminal) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
