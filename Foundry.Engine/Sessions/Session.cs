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

    /// <summary>Runs exactly one statement.</summary>
    public QueryResult Execute(string sql)
    {
        var statement = ErrorMapper.Run(sql, () => SqlCompiler.ParseOne(sql));
        return Run(statement);
    }

    /// <summary>Parses the whole script (a syntax error anywhere stops it before anything runs), then runs its statements in order.</summary>
    public IEnumerable<QueryResult> ExecuteScript(string script)
    {
        var statements = ErrorMapper.Run(script, () => SqlCompiler.Parse(script));
        return statements.Select(Run);
    }

    private QueryResult Run(ParsedStatement statement)
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
            var compiled = ErrorMapper.Run(sql, () => SqlCompiler.Compile(_database.Catalog, statement, CompilerOptions));
            switch (compiled.Kind)
            {
                case CompiledStatementKind.Query:
                {
                    var state = new QueryState(new StatementContext(_database.Pager, []), compiled.Layout, compiled.ColumnNames.Length);
                    var rows = new RowSource(compiled.Program, state, sql, Release);
                    _open = new QueryResult(compiled.ColumnNames, compiled.ColumnTypes, rows, -1, "SELECT");
                    return _open;
                }
                case CompiledStatementKind.Insert:
                {
                    var affected = Modify(sql, () =>
                    {
                        using var state = new QueryState(new StatementContext(_database.Pager, []), compiled.Layout, 0);
                        compiled.Program(state);
                        return state.Counters[compiled.AffectedCounter];
                    });
                    Release();
                    return new QueryResult([], [], null, affected, "INSERT");
                }
                case CompiledStatementKind.CreateTable:
                    Modify(sql, () =>
                    {
                        if (_database.Catalog.FindTable(compiled.TableName) is null) _database.Catalog.Create(compiled.TableToCreate);
                        return 0L;
                    });
                    Release();
                    return new QueryResult([], [], null, 0, "CREATE TABLE");
                case CompiledStatementKind.DropTable:
                    Modify(sql, () =>
                    {
                        if (_database.Catalog.FindTable(compiled.TableName) is { } table) _database.Catalog.Drop(table);
                        return 0L;
                    });
                    Release();
                    return new QueryResult([], [], null, 0, "DROP TABLE");
                default:
                    throw new InvalidOperationException($"Foundry bug: unknown statement kind {compiled.Kind}");
            }
        }
        catch
        {
            Release();
            throw;
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
