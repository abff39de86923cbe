namespace Foundry.Runtime;

/// <summary>The compiler's view of the catalog: tables and views by case-insensitive name.</summary>
public interface ICatalog
{
    TableSchema? FindTable(string name);

    /// <summary>The defining query (SQL text) of a view, or null when no view has that name.</summary>
    string? FindView(string name);

    /// <summary>True when an index of that name exists.</summary>
    bool IndexExists(string name);
}
