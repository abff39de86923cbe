namespace Foundry.Runtime;

/// <summary>The compiler's view of the catalog: table definitions by case-insensitive name.</summary>
public interface ICatalog
{
    TableSchema? FindTable(string name);
}
