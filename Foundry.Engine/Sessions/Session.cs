using Foundry.Compiler;
using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// A connection to a database: runs statements one after another. Each statement is atomic: it
/// commits when it succeeds, and when it fails every page it changed is discarded and the catalog
/// reloaded, so it changed nothing. (BEGIN/COMMIT across statements arrives with the WAL.)
/// </summary>
public sealed class Session : IDisposable
{
    private readonly Database _database;
    private QueryResult? _open;
    private bool _disposed;

    internal Session(Database database) => _database = database;

    /// <summary>Settings for compiler experiments (rules switched off).</summary>
    public CompilerOptions CompilerOptions { get; } = new();

    /// <summary>Runs exactly one statement; `parameters` are the values of ? / $1, $2, ... in order.</summary>
    public QueryResult Execute(string sql, params object?[] parameters)
    {
        var statement = ErrorMapper.Run(sql, () => SqlCompiler.ParseOne(sql));
        return Run(statement, parameters);
    }

    /// <summary>Parses the whole script (a syntax error anywhere stops it before anything runs), then runs its statements in order.</summary>
    public IEnumerable<QueryResult> ExecuteScript(string script)
    {
        var statements = ErrorMapper.Run(script, () => SqlCompiler.Parse(script));
        return statements.Select(s => Run(s, []));
    }

    /// <summary>
    /// Compiles a statement once for running many times with different parameters. It is compiled
    /// again, transparently, when the schema has changed since (a table created, dropped or altered).
    /// </summary>
    public PreparedStatement Prepare(string sql)
    {
        var statement = ErrorMapper.Run(sql, () => SqlCompiler.ParseOne(sql));
        return new PreparedStatement(this, statement);
    }

    /// <summary>Compiles against the current catalog, under the statement lock.</summary>
    internal CompiledStatement Compile(ParsedStatement statement) =>
        ErrorMapper.Run(statement.Source, () => SqlCompiler.Compile(_database.Catalog, statement, CompilerOptions));

    internal Database Database => _database;

    private QueryResult Run(ParsedStatement statement, object?[] parameters) => Run(statement, parameters, null);

    /// <summary>
    /// Runs a statement, compiling it unless `prepared` holds a compilation that is still valid for
    /// the catalog's schema version.
    /// </summary>
    internal QueryResult Run(ParsedStatement statement, object?[] parameters, PreparedStatement? prepared)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A result left unread would hold the statement lock: finish it first.
        _open?.Dispose();
        _open = null;
        var sql = statement.Source;
        _database.StatementLock.Wait();
        var released = false;
        void Release()
        {
            if (released) return;
            released = true;
            _database.StatementLock.Release();
        }
        try
        {
            var compiled = prepared is null ? Compile(statement) : prepared.CompiledFor(_database.SchemaVersion);
            if (parameters.Length < compiled.ParameterCount)
                throw ErrorMapper.Map(sql, new FoundryRuntimeException(RuntimeErrors.MissingParameter,
                    $"the statement takes {compiled.ParameterCount} parameter(s) but {parameters.Length} were supplied"))!;
            switch (compiled.Kind)
            {
                case CompiledStatementKind.Query:
                {
                    var state = new QueryState(new StatementContext(_database.Pager, parameters), compiled.Layout, compiled.ColumnNames.Length);
                    var rows = new RowSource(compiled.Program, state, sql, Release);
                    _open = new QueryResult(compiled.ColumnNames, compiled.ColumnTypes, rows, -1, compiled.CommandTag);
                    return _open;
                }
                case CompiledStatementKind.Change:
                {
                    var affected = Modify(sql, () =>
                    {
                        using var state = new QueryState(new StatementContext(_database.Pager, parameters), compiled.Layout, 0);
                        compiled.Program(state);
                        return state.Counters[compiled.AffectedCounter];
                    });
                    Release();
                    return new QueryResult([], [], null, affected, compiled.CommandTag);
                }
                case CompiledStatementKind.Begin:
                case CompiledStatementKind.Commit:
                case CompiledStatementKind.Rollback:
                case CompiledStatementKind.Checkpoint:
                    throw new FoundryException("FND0003", $"{compiled.CommandTag} is not supported yet: every statement commits on its own", sql, null, null, null,
                        $"error FND0003: {compiled.CommandTag} is not supported yet: every statement commits on its own");
                default:
                    Modify(sql, () =>
                    {
                        ApplySchemaChange(compiled);
                        return 0L;
                    });
                    Release();
                    return new QueryResult([], [], null, 0, compiled.CommandTag);
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>CREATE/DROP of tables, views and indexes (the binder checked names; IF [NOT] EXISTS is honoured here).</summary>
    private void ApplySchemaChange(CompiledStatement compiled)
    {
        var catalog = _database.Catalog;
        var name = compiled.ObjectName;
        switch (compiled.Kind)
        {
            case CompiledStatementKind.CreateTable:
                if (catalog.FindTable(name) is null && catalog.FindView(name) is null)
                {
                    var created = catalog.CreateTable(compiled.TableToCreate);
                    // UNIQUE constraints are unique indexes named as PostgreSQL names them.
                    foreach (var columns in compiled.UniqueKeys)
                    {
                        var indexName = $"{created.Name}_{string.Join("_", columns.Select(c => created.Columns[c].Name))}_key";
                        catalog.CreateIndex(indexName, created, columns, unique: true);
                    }
                }
                break;
            case CompiledStatementKind.DropTable:
                if (catalog.FindTable(name) is { } table) catalog.DropTable(table);
                break;
            case CompiledStatementKind.CreateView:
                if (catalog.FindView(name) is null && catalog.FindTable(name) is null) catalog.CreateView(name, compiled.ViewSql);
                break;
            case CompiledStatementKind.DropView:
                catalog.DropView(name);
                break;
            case CompiledStatementKind.CreateIndex:
                if (!catalog.IndexExists(name)) catalog.CreateIndex(name, catalog.FindTable(compiled.IndexTable)!, compiled.IndexColumns, compiled.IndexUnique);
                break;
            case CompiledStatementKind.DropIndex:
                catalog.DropIndex(name);
                break;
            default:
                throw new InvalidOperationException($"Foundry bug: {compiled.Kind} is not a schema change");
        }
    }

    /// <summary>Runs a change and commits it; on any failure rolls back every page and the catalog.</summary>
    private long Modify(string sql, Func<long> change)
    {
        try
        {
            var result = ErrorMapper.Run(sql, change);
            _database.Catalog.SaveRowIds();
            _database.Pager.Commit();
            return result;
        }
        catch
        {
            _database.Pager.Rollback();
            _database.Catalog.Reload();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _open?.Dispose();
        _disposed = true;
    }
}
