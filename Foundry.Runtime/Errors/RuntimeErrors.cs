using System.Diagnostics.CodeAnalysis;

namespace Foundry.Runtime;

/// <summary>
/// An error raised while a compiled statement runs: arithmetic faults and constraint violations.
/// Code is the diagnostic number (5xxx). The engine undoes the statement and reports it.
/// </summary>
public sealed class FoundryRuntimeException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// The catalogue of runtime errors (codes 5xxx). Called from generated code: each throws from a
/// small method so that the callers stay small enough to inline.
/// </summary>
public static class RuntimeErrors
{
    public const int DivisionByZero = 5001;
    public const int IntegerOverflow = 5002;
    public const int NotNullViolation = 5003;
    public const int DuplicateKey = 5004;
    public const int InvalidCast = 5005;
    public const int SubqueryRows = 5006;
    public const int MissingParameter = 5007;
    public const int InvalidArgument = 5008;
    public const int CheckViolation = 5009;
    public const int ForeignKeyViolation = 5010;
    public const int RealOutOfRange = 5040;
    public const int ParameterNotConvertible = 5020;
    public const int UnsupportedParameterType = 5021;

    /// <summary>Codes of a stopped statement, numbered after PostgreSQL's SQLSTATE class 57 (operator intervention).</summary>
    public const int CanceledByUser = 5701;
    public const int StatementTimeout = 5702;

    [DoesNotReturn]
    public static void ThrowDivisionByZero() => throw new FoundryRuntimeException(DivisionByZero, "division by zero");

    [DoesNotReturn]
    public static void ThrowIntegerOverflow() => throw new FoundryRuntimeException(IntegerOverflow, "integer out of range");

    [DoesNotReturn]
    public static void ThrowRealOverflow() => throw new FoundryRuntimeException(RealOutOfRange, "value out of range: overflow");

    [DoesNotReturn]
    public static void ThrowRealUnderflow() => throw new FoundryRuntimeException(RealOutOfRange, "value out of range: underflow");

    [DoesNotReturn]
    public static void ThrowRealTextOutOfRange(string text) =>
        throw new FoundryRuntimeException(RealOutOfRange, $"\"{text}\" is out of range for type REAL (double precision)");

    [DoesNotReturn]
    public static void ThrowNotNull(string table, string column) =>
        throw new FoundryRuntimeException(NotNullViolation, $"null value in column \"{column}\" of table \"{table}\" violates its NOT NULL constraint");

    [DoesNotReturn]
    public static void ThrowDuplicateKey(string table, string key) =>
        throw new FoundryRuntimeException(DuplicateKey, $"duplicate key value violates the primary key of table \"{table}\": {key} already exists");

    [DoesNotReturn]
    public static void ThrowDuplicateIndexKey(string index) =>
        throw new FoundryRuntimeException(DuplicateKey, $"duplicate key value violates unique index \"{index}\"");

    [DoesNotReturn]
    public static void ThrowSubqueryRows() =>
        throw new FoundryRuntimeException(SubqueryRows, "more than one row returned by a subquery used as an expression");

    [DoesNotReturn]
    public static void ThrowMissingParameter(int index, int supplied) =>
        throw new FoundryRuntimeException(MissingParameter, $"parameter ${index} has no value ({supplied} supplied)");

    [DoesNotReturn]
    public static void ThrowParameterNotConvertible(int index, string value, string type) =>
        throw new FoundryRuntimeException(ParameterNotConvertible, $"parameter ${index} is {value}, which does not convert to {type}");

    [DoesNotReturn]
    public static void ThrowUnsupportedParameterType(int index, string type) =>
        throw new FoundryRuntimeException(UnsupportedParameterType,
            $"parameter ${index} is a {type}: unsupported parameter type (Foundry has no date, time, UUID or NUMERIC type yet); pass a long, double, string, bool or byte[], e.g. a date as invariant ISO 8601 text");

    [DoesNotReturn]
    public static void ThrowInvalidCast(string value, string type) =>
        throw new FoundryRuntimeException(InvalidCast, $"invalid input syntax for type {type}: \"{value}\"");

    [DoesNotReturn]
    public static void ThrowNegativeSubstringLength() =>
        throw new FoundryRuntimeException(InvalidArgument, "negative substring length not allowed");

    [DoesNotReturn]
    public static void ThrowInvalidEscape(string escape) =>
        throw new FoundryRuntimeException(InvalidArgument, $"invalid escape string \"{escape}\": it must be one character");

    [DoesNotReturn]
    public static void ThrowNegativeLimit(string clause) =>
        throw new FoundryRuntimeException(InvalidArgument, $"{clause} must not be negative");

    [DoesNotReturn]
    public static void ThrowCheckViolation(string table, string constraint) =>
        throw new FoundryRuntimeException(CheckViolation, $"new row for table \"{table}\" violates check constraint \"{constraint}\"");

    [DoesNotReturn]
    public static void ThrowInterrupted(InterruptReason reason) => throw (reason == InterruptReason.StatementTimeout
        ? new FoundryRuntimeException(StatementTimeout, "canceling statement due to statement timeout")
        : new FoundryRuntimeException(CanceledByUser, "canceling statement due to user request"));
}
