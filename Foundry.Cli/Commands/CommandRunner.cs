using Foundry.Engine;

namespace Foundry.Cli.Commands;

/// <summary>
/// What every command does around its body: turn failures into a message on standard error and exit code 1,
/// never a stack trace.
/// </summary>
public static class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;

    /// <summary>Runs <paramref name="body"/>; a <see cref="FoundryException"/> prints its rendered form, anything else a one-line message.</summary>
    public static int Run(CliConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (FoundryException e)
        {
            console.Error.WriteLine(e.Rendered);
            return Failure;
        }
        catch (CommandException e)
        {
            console.Error.WriteLine($"foundry: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"foundry: {e.Message}");
            return Failure;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"foundry: internal error (a Foundry bug): {e.GetType().Name}: {e.Message}");
            return Failure;
        }
        finally
        {
            console.Out.Flush();
            console.Error.Flush();
        }
    }

    /// <summary>
    /// Opens (creating if missing) the database at <paramref name="path"/>, naming the file in any error.
    /// When opening had to recover from a crash (or cut a torn log tail), says what recovery did on standard error.
    /// </summary>
    public static Database Open(CliConsole console, string path)
    {
        try
        {
            var db = Database.Open(path);
            if (db.Recovery.IsNotable) console.Error.WriteLine($"{path}: {db.Recovery}");
            return db;
        }
        catch (FoundryException e) when (e.Code == "FND5120")
        {
            throw new CommandException($"cannot open database '{path}': error {e.Code}: {e.Message}. " +
                $"`foundry recover {path}` shows what recovery would drop; `foundry recover {path} --accept-loss` opens it without that part of the log");
        }
        catch (FoundryException e)
        {
            throw new CommandException($"cannot open database '{path}': {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException($"cannot open database '{path}': {e.Message}");
        }
    }
}
