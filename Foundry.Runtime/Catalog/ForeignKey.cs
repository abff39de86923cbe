namespace Foundry.Runtime;

public enum ReferentialAction : byte
{
    /// <summary>Deleting a referenced row is an error (checked at the statement).</summary>
    NoAction = 0,
    Restrict = 1,
    /// <summary>Deleting a referenced row deletes the rows that reference it.</summary>
    Cascade = 2,
    /// <summary>Deleting a referenced row sets the referencing columns to NULL.</summary>
    SetNull = 3,
}

/// <summary>
/// A FOREIGN KEY: the child table's <see cref="Columns"/> must match <see cref="ParentColumns"/> of a
/// row of <see cref="ParentTable"/> (the parent's primary key, or the columns of one of its unique
/// indexes), unless one of them is NULL. <see cref="Parent"/> is resolved by the catalog when it loads.
/// </summary>
public sealed class ForeignKey(string name, IReadOnlyList<int> columns, string parentTable, IReadOnlyList<int> parentColumns, ReferentialAction onDelete)
{
    public string Name { get; } = name;
    public IReadOnlyList<int> Columns { get; } = columns;
    public string ParentTable { get; } = parentTable;
    public IReadOnlyList<int> ParentColumns { get; } = parentColumns;
    public ReferentialAction OnDelete { get; } = onDelete;

    /// <summary>The parent table's current schema object (set by the catalog).</summary>
    public TableSchema? Parent { get; set; }

    public string ToSql(TableSchema child, TableSchema? parent) =>
        $"CONSTRAINT {Name} FOREIGN KEY ({string.Join(", ", Columns.Select(c => child.Columns[c].Name))}) REFERENCES {ParentTable}"
        + (parent is null ? "" : $" ({string.Join(", ", ParentColumns.Select(c => parent.Columns[c].Name))})")
        + OnDelete switch
        {
            ReferentialAction.Cascade => " ON DELETE CASCADE",
            ReferentialAction.SetNull => " ON DELETE SET NULL",
            ReferentialAction.Restrict => " ON DELETE RESTRICT",
            _ => "",
        };
}
