namespace Foundry.Runtime;

/// <summary>The static SQL types. <see cref="Null"/> is the type of a bare NULL literal before context gives it one.</summary>
public enum SqlType : byte
{
    Null = 0,
    Integer = 1,
    Real = 2,
    Text = 3,
    Boolean = 4,
    Blob = 5,
}

public static class SqlTypeNames
{
    /// <summary>The name a type is shown with in schemas, errors and result headers.</summary>
    public static string Display(this SqlType type) => type switch
    {
        SqlType.Null => "NULL",
        SqlType.Integer => "INTEGER",
        SqlType.Real => "REAL",
        SqlType.Text => "TEXT",
        SqlType.Boolean => "BOOLEAN",
        SqlType.Blob => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown SQL type (a Foundry bug)"),
    };
}
