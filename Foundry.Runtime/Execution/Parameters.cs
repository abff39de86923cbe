using System.Globalization;

namespace Foundry.Runtime;

/// <summary>
/// Reads statement parameters for generated code, converting the value the caller supplied to the
/// parameter's SQL type (an int for an INTEGER parameter, any number for REAL, anything for TEXT by
/// its invariant text). A parameter that was not supplied is an error with its number.
/// </summary>
public static class Parameters
{
    public static bool IsNull(StatementContext context, int index) => Get(context, index) is null or DBNull;

    public static long GetInt64(StatementContext context, int index) => Get(context, index) switch
    {
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        bool b => b ? 1 : 0,
        var v => Convert.ToInt64(v, CultureInfo.InvariantCulture),
    };

    public static double GetDouble(StatementContext context, int index) => Convert.ToDouble(Get(context, index), CultureInfo.InvariantCulture);

    public static bool GetBoolean(StatementContext context, int index) => Get(context, index) switch
    {
        bool b => b,
        var v => Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0,
    };

    public static string GetText(StatementContext context, int index) => Get(context, index) switch
    {
        string s => s,
        double d => Conversions.ToText(d),
        var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    public static byte[] GetBlob(StatementContext context, int index) => (byte[])Get(context, index)!;

    private static object? Get(StatementContext context, int index)
    {
        if (index < 1 || index > context.Parameters.Length) RuntimeErrors.ThrowMissingParameter(index, context.Parameters.Length);
        return context.Parameters[index - 1];
    }
}
