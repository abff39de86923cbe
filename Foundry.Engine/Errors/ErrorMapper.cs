using Foundry.Compiler;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// Turns what the compiler, compiled code and storage throw into <see cref="FoundryException"/>, the
/// one error type users of the engine see. Anything else is a Foundry bug and propagates as it is.
/// </summary>
internal static class ErrorMapper
{
    public static T Run<T>(string sql, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Map(sql, e) is { } mapped)
        {
            throw mapped;
        }
    }

    public static FoundryException? Map(string sql, Exception e) => e switch
    {
        FoundryException f => f,
        CompilationException c => FromDiagnostics(sql, c.Diagnostics),
        FoundryRuntimeException r => Plain($"FND{r.Code:D4}", r.Message, sql, e),
        OverflowException => Plain($"FND{RuntimeErrors.IntegerOverflow:D4}", "integer out of range", sql, e),
        DivideByZeroException => Plain($"FND{RuntimeErrors.DivisionByZero:D4}", "division by zero", sql, e),
        WalRefusedException w => Plain(StorageErrors.WalRefused, w.Message, sql, e),
        DiskFullException d => Plain(StorageErrors.DiskFull, d.Message, sql, e),
        SpillWriteException { DiskFull: true } f => Plain(StorageErrors.DiskFull, f.Message, sql, e),
        LogFailedException l => Plain(StorageErrors.MustReopen, l.Message, sql, e),
        StorageException s => Plain(StorageErrors.Storage, s.Message, sql, e),
        _ => null,
    };

    /// <summary>The first diagnostic gives code and place; the rendering shows every one of them.</summary>
    private static FoundryException FromDiagnostics(string sql, SqlDiagnostic[] all)
    {
        var d = all[0];
        return new(d.Code, d.Message, sql, d.Line, d.Column, d.EndColumn, string.Join("\n", all.Select(x => x.Rendered)));
    }

    private static FoundryException Plain(string code, string message, string sql, Exception inner) =>
        new(code, message, sql, null, null, null, $"error {code}: {message}", inner);
}
