using System.Runtime.CompilerServices;
using Foundry.Compiler;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// A connection to a database: runs statements one after another, in autocommit mode or inside
/// BEGIN … COMMIT/ROLLBACK. Locks (see <see cref="LockManager"/>) a statement takes before it runs:
///
/// | statement          | locks                                                           |
/// |--------------------|-----------------------------------------------------------------|
/// | query              | catalog S, S on every table it reads                            |
/// | INSERT/UPDATE/DELETE | catalog S, writer X, X on every table the statement names     |
/// | CREATE/DROP …      | catalog X, writer X                                             |
/// | CHECKPOINT         | writer X (outside a transaction only)                           |
///
/// All are held until the transaction ends (strict 2PL) — for an autocommit query, until its rows are
/// read or the result disposed. A statement that fails undoes its own changes (statement savepoint:
/// Pager.RollbackStatement and a catalog reload) and an explicit transaction goes on; in autocommit the
/// transaction is rolled back. A deadlock victim's whole transaction is rolled back.
///
/// Stopping a statement: <see cref="Cancel"/> (from any thread), a CancellationToken passed to
/// <see cref="Execute(string, CancellationToken, object?[])"/> and <see cref="StatementTimeout"/> stop the
/// running statement at its next row (or sort step, or lock-wait wake-up) with FND5701 "canceling
/// statement due to user request" or FND5702 "canceling statement due to statement timeout"; a lock wait
/// longer than <see cref="LockTimeout"/> fails with FND5503. Each is a failed statement like any other:
/// its changes are undone and the session (and an explicit transaction) goes on.
/// </summary>
public sealed class Session : IDisposable
{
    private const string CatalogResource = "catalog";
    private const string WriterResource = "writer";
    private static readonly ConditionalWeakTable<CompiledStatement, string[]> s_tables = new();

    private readonly Database _database;
    private QueryResult? _open;
    private Transaction? _explicit;
    private RunningStatement? _running;
    private bool _disposed;

    internal Session(Database database)
    {
        _database = database;
        StatementTimeout = database.Options.StatementTimeout;
        LockTimeout = database.Options.LockTimeout;
    }

    /// <summary>How long one statement may run, its lock waits and the reading of its rows included; null for no limit.</summary>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>How long a statement waits for a lock another transaction holds (<see cref="Timeout.InfiniteTimeSpan"/>: for ever).</summary>
    public TimeSpan LockTimeout { get; set; }

    /// <summary>
    /// Asks the statement running now (a query until its result is read to the end or disposed) to stop
    /// with FND5701 "canceling statement due to user request". Callable from any thread; does nothing
    /// when no statement is running, so it never affects a later statement.
    /// </summary>
    public void Cancel() => Volatile.Read(ref _running)?.Interrupt.Request(InterruptReason.UserRequest);

    /// <summary>Settings for compiler experiments (rules switched off).</summary>
    public CompilerOptions CompilerOptions { get; } = new();

    /// <summary>
    /// Memory budget, in bytes, of each statement's sorts and hash tables in this session; beyond it they
    /// spill to temporary files. Null (the default): the database's <see cref="Database.OperatorMemoryBytes"/>.
    /// </summary>
    public long? OperatorMemoryBytes
    {
        get => _operatorMemoryBytes;
        set
        {
            if (value is < 1) throw new ArgumentOutOfRangeException(nameof(value), "the operator memory budget must be at least 1 byte");
            _operatorMemoryBytes = value;
        }
    }

    private long? _operatorMemoryBytes;

    /// <summary>Spill files and memory of the last statement's operators (for tests and EXPLAIN ANALYZE).</summary>
    public OperatorMemory? LastOperatorMemory { get; private set; }

    /// <summary>True between BEGIN and COMMIT/ROLLBACK.</summary>
    public bool InTransaction => _explicit is not null;

    /// <summary>Runs exactly one statement; `parameters` are the values of ? / $1, $2, ... in order.</summary>
    public QueryResult Execute(string sql, params object?[] parameters) => Execute(sql, CancellationToken.None, parameters);

    /// <summary>Runs exactly one statement; cancelling <paramref name="cancellation"/> stops it as <see cref="Cancel"/> does, while it runs or its rows are read.</summary>
    public QueryResult Execute(string sql, CancellationToken cancellation, params object?[] parameters)
    {
        var statement = ErrorMapper.Run(sql, () => SqlCompiler.ParseOne(sql));
        return Run(statement, parameters, null, cancellation);
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

    /// <summary>BEGIN.</summary>
    public void Begin() => Execute("BEGIN").Dispose();

    /// <summary>COMMIT.</summary>
    public void Commit() => Execute("COMMIT").Dispose();

    /// <summary>ROLLBACK.</summary>
    public void Rollback() => Execute("ROLLBACK").Dispose();

    /// <summary>Compiles against the current catalog (caller holds the storage latch), recording the tables it names.</summary>
    internal CompiledStatement Compile(ParsedStatement statement)
    {
        var recorder = new RecordingCatalog(_database.Catalog);
        var compiled = ErrorMapper.Run(statement.Source, () => SqlCompiler.Compile(recorder, statement, CompilerOptions));
        s_tables.AddOrUpdate(compiled, recorder.Tables.ToArray());
        return compiled;
    }

    internal Database Database => _database;

    private QueryResult Run(ParsedStatement statement, object?[] parameters) => Run(statement, parameters, null, CancellationToken.None);

    /// <summary>
    /// Runs a statement, compiling it unless `prepared` holds a compilation that is still valid for
    /// the catalog's schema version.
    /// </summary>
    internal QueryResult Run(ParsedStatement statement, object?[] parameters, PreparedStatement? prepared, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sql = statement.Source;
        // One statement at a time: an open result is still running its statement and holds its locks
        // (ending it here would silently truncate what its reader sees; see docs/transactions.md).
        if (_open is { IsOpen: true } open) throw TransactionErrors.ResultStillOpen(sql, open.StatementKind);
        _open = null;
        // WAL6: after a failed log write nothing this process holds in memory can be trusted or made durable.
        if (_database.Pager.LogFailure is { } failure) throw ErrorMapper.Map(sql, new LogFailedException(_database.Pager.LogPath, failure))!;
        var txn = _explicit ?? new Transaction(isExplicit: false);
        var autocommit = _explicit is null;
        var handedOff = false;
        var running = new RunningStatement(StatementTimeout, cancellation);
        Volatile.Write(ref _running, running);
        var runningHandedOff = false;
        try
        {
            Lock(txn, CatalogResource, LockMode.Shared);
            var (compiled, version) = CompileLatched(statement, prepared);
            switch (compiled.Kind)
            {
                case CompiledStatementKind.Begin:
                    if (!autocommit) throw TransactionErrors.NestedBegin(sql);
                    _explicit = new Transaction(isExplicit: true);
                    return Done(compiled, 0);
                case CompiledStatementKind.Commit:
                    if (!autocommit)
                    {
                        _explicit = null;
                        CommitTransaction(txn);
                    }
                    return Done(compiled, 0);
                case CompiledStatementKind.Rollback:
                    if (!autocommit)
                    {
                        _explicit = null;
                        RollbackTransaction(txn);
                    }
                    return Done(compiled, 0);
                case CompiledStatementKind.Checkpoint:
                    if (!autocommit) throw TransactionErrors.CheckpointInside(sql);
                    Lock(txn, WriterResource, LockMode.Exclusive);
                    ErrorMapper.Run(sql, () => { _database.Latched(() => _database.Pager.Checkpoint(releaseLogSpace: true)); return 0; });
                    return Done(compiled, 0);
                case CompiledStatementKind.Query:
                {
                    compiled = LockTables(txn, statement, prepared, compiled, version, LockMode.Shared);
                    CheckParameters(sql, compiled, parameters);
                    var state = new QueryState(NewContext(parameters, running.Interrupt), compiled.Layout, compiled.ColumnNames.Length);
                    var rows = new RowSource(compiled.Program, state, sql, _database, () =>
                    {
                        Finish(running);
                        if (autocommit) CommitTransaction(txn);
                    });
                    handedOff = runningHandedOff = true;
                    _open = new QueryResult(compiled.ColumnNames, compiled.ColumnTypes, rows, -1, compiled.CommandTag);
                    return _open;
                }
                case CompiledStatementKind.ExplainAnalyze:
                {
                    // Runs the statement for real (a change is applied), counting rows per operator.
                    var writes = compiled.Inner.Kind == CompiledStatementKind.Change;
                    if (writes) BecomeWriter(txn);
                    compiled = LockTables(txn, statement, prepared, compiled, version, writes ? LockMode.Exclusive : LockMode.Shared);
                    var inner = compiled.Inner;
                    CheckParameters(sql, inner, parameters);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    long[] counters = [];
                    var context = NewContext(parameters, running.Interrupt);
                    Modify(sql, () =>
                    {
                        using var state = new QueryState(context, inner.Layout, inner.ColumnNames.Length);
                        while (inner.Program(state)) { }
                        counters = (long[])state.Counters.Clone();
                        return 0L;
                    });
                    var elapsed = clock.Elapsed.TotalMilliseconds;
                    if (autocommit) CommitTransaction(txn);
                    var report = compiled.RenderAnalysis(counters, elapsed, context.Memory.Summary());
                    var lines = new QueryState(new StatementContext(_database.Pager, []), report.Layout, 1);
                    var source = new RowSource(report.Program, lines, sql, _database, () => { });
                    handedOff = true;
                    _open = new QueryResult(report.ColumnNames, report.ColumnTypes, source, -1, report.CommandTag);
                    return _open;
                }
                case CompiledStatementKind.Change:
                {
                    BecomeWriter(txn);
                    compiled = LockTables(txn, statement, prepared, compiled, version, LockMode.Exclusive);
                    CheckParameters(sql, compiled, parameters);
                    var program = compiled;
                    var returned = new List<object?[]>();
                    var affected = Modify(sql, () =>
                    {
                        using var state = new QueryState(NewContext(parameters, running.Interrupt), program.Layout, program.ColumnNames.Length);
                        // The change runs on the first call; with RETURNING, each further row is a returned one.
                        while (program.Program(state)) returned.Add(BufferedRows.Snapshot(state.Output, program.ColumnTypes));
                        return state.Counters[program.AffectedCounter];
                    });
                    if (autocommit) CommitTransaction(txn);
                    if (program.ColumnNames.Length == 0) return new QueryResult([], [], null, affected, compiled.CommandTag);
                    _open = new QueryResult(program.ColumnNames, program.ColumnTypes, new BufferedRows(returned, program.ColumnTypes), affected, compiled.CommandTag);
                    return _open;
                }
                default:
                {
                    Lock(txn, CatalogResource, LockMode.Exclusive);
                    BecomeWriter(txn);
                    // Nobody else can change the catalog now; compile again if it moved while we waited.
                    (compiled, _) = CompileLatched(statement, prepared);
                    var schema = compiled;
                    Modify(sql, () =>
                    {
                        ApplySchemaChange(schema);
                        return 0L;
                    });
                    if (autocommit) CommitTransaction(txn);
                    return new QueryResult([], [], null, 0, compiled.CommandTag);
                }
            }
        }
        catch (DeadlockException d)
        {
            if (_explicit == txn) _explicit = null;
            RollbackTransaction(txn);
            throw TransactionErrors.DeadlockVictim(sql, d.Resource);
        }
        catch (LockTimeoutException t)
        {
            if (autocommit && !handedOff) RollbackTransaction(txn);
            throw TransactionErrors.LockWaitTimedOut(sql, t.Resource, t.Waited);
        }
        catch
        {
            if (autocommit && !handedOff) RollbackTransaction(txn);
            throw;
        }
        finally
        {
            if (!runningHandedOff) Finish(running);
            // A statement that ends an autocommit transaction without a result stream releases its locks here.
            if (autocommit && !handedOff && !txn.Ended) CommitTransaction(txn);
        }
    }

    /// <summary>The statement's result is finished: later cancels no longer reach it, and its timer stops.</summary>
    private void Finish(RunningStatement running)
    {
        Interlocked.CompareExchange(ref _running, null, running);
        running.Dispose();
    }

    /// <summary>A statement's context: its stop request, and the session's (or the database's) operator memory budget.</summary>
    private StatementContext NewContext(object?[] parameters, StatementInterrupt interrupt)
    {
        var memory = new OperatorMemory(_operatorMemoryBytes ?? _database.OperatorMemoryBytes, _database.SpillDirectory);
        LastOperatorMemory = memory;
        return new StatementContext(_database.Pager, parameters, interrupt, memory);
    }

    private static QueryResult Done(CompiledStatement compiled, long affected) => new([], [], null, affected, compiled.CommandTag);

    private static void CheckParameters(string sql, CompiledStatement compiled, object?[] parameters)
    {
        // Called on every execution of a prepared statement: a plain try, not a closure for ErrorMapper.Run.
        try
        {
            Parameters.CheckSupported(parameters);
        }
        catch (FoundryRuntimeException e)
        {
            throw ErrorMapper.Map(sql, e)!;
        }
        if (parameters.Length < compiled.ParameterCount)
            throw ErrorMapper.Map(sql, new FoundryRuntimeException(RuntimeErrors.MissingParameter,
                $"the statement takes {compiled.ParameterCount} parameter(s) but {parameters.Length} were supplied"))!;
    }

    private (CompiledStatement Compiled, long Version) CompileLatched(ParsedStatement statement, PreparedStatement? prepared) =>
        _database.Latched(() =>
        {
            var version = _database.SchemaVersion;
            return (prepared is null ? Compile(statement) : prepared.CompiledFor(version), version);
        });

    /// <summary>
    /// Locks every table the compiled statement names; if the catalog was reloaded meanwhile (its objects
    /// replaced), compiles again and locks what the new compilation names, until the two agree.
    /// </summary>
    private CompiledStatement LockTables(Transaction txn, ParsedStatement statement, PreparedStatement? prepared,
        CompiledStatement compiled, long version, LockMode mode)
    {
        while (true)
        {
            foreach (var table in TablesOf(compiled)) Lock(txn, "table:" + table, mode);
            var current = _database.Latched(() => _database.SchemaVersion);
            if (current == version) return compiled;
            (compiled, version) = CompileLatched(statement, prepared);
        }
    }

    private static string[] TablesOf(CompiledStatement compiled) => s_tables.TryGetValue(compiled, out var t) ? t : [];

    /// <summary>Takes a lock for the running statement: bounded by the lock timeout, stopped by a cancel (mapped to its FND57xx error).</summary>
    private void Lock(Transaction txn, string resource, LockMode mode)
    {
        var running = Volatile.Read(ref _running);
        ErrorMapper.Run(string.Empty, () =>
        {
            _database.Locks.Acquire(txn, resource, mode, LockTimeout, running?.Interrupt);
            return 0;
        });
    }

    /// <summary>Takes the writer lock: from now on the pager's active transaction is this one's.</summary>
    private void BecomeWriter(Transaction txn)
    {
        if (txn.IsWriter) return;
        Lock(txn, WriterResource, LockMode.Exclusive);
        txn.IsWriter = true;
    }

    /// <summary>
    /// Group commit with early lock release: the Commit record is appended under the latch, then every
    /// lock is released, and only then does the thread wait (latch-free) for the log to be durable through
    /// its commit — so the next writer of the same table works while this commit's fsync runs, and
    /// concurrent committers share fsyncs. Others may read these changes before they are durable; that is
    /// safe because every transaction, read-only ones included, waits at its own commit until the log is
    /// durable through everything appended before it committed (a later commit can never be durable
    /// before an earlier one: the log is written in order). No client is told of data a crash can lose.
    /// </summary>
    private void CommitTransaction(Transaction txn)
    {
        if (txn.Ended) return;
        txn.Ended = true;
        try
        {
            if (txn.IsWriter)
            {
                long lsn = 0;
                try
                {
                    lsn = ErrorMapper.Run(string.Empty, () => _database.Latched(() =>
                    {
                        _database.Catalog.SaveRowIds();
                        return _database.Pager.CommitAppend();
                    }));
                }
                catch
                {
                    _database.Latched(() => UndoUnlessLogFailed(() => _database.Pager.Rollback()));
                    throw;
                }
                finally
                {
                    _database.Locks.ReleaseAll(txn);
                }
                ErrorMapper.Run(string.Empty, () => { _database.Pager.WaitDurable(lsn); return 0; });
            }
            else
            {
                // A reader may have seen a commit whose fsync is still running: wait for it too.
                var seen = _database.Latched(() => _database.Pager.AppendedLsn);
                _database.Locks.ReleaseAll(txn);
                ErrorMapper.Run(string.Empty, () => { _database.Pager.WaitDurable(seen); return 0; });
            }
        }
        finally
        {
            _database.Locks.ReleaseAll(txn);
        }
    }

    private void RollbackTransaction(Transaction txn)
    {
        if (txn.Ended) return;
        txn.Ended = true;
        try
        {
            if (txn.IsWriter)
            {
                _database.Latched(() => UndoUnlessLogFailed(() => _database.Pager.Rollback()));
            }
        }
        finally
        {
            _database.Locks.ReleaseAll(txn);
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
            case CompiledStatementKind.AlterTable:
                AlterTable(compiled);
                break;
            case CompiledStatementKind.Analyze:
                foreach (var analyzed in name is null ? catalog.Tables : [catalog.FindTable(name)!]) catalog.Analyze(analyzed);
                break;
            default:
                throw new InvalidOperationException($"Foundry bug: {compiled.Kind} is not a schema change");
        }
    }

    /// <summary>
    /// Runs one change statement under the latch inside a statement savepoint: on success its rowid
    /// counters are saved into the catalog; on any failure its pages and the catalog are put back as they
    /// were when the statement started, and the transaction goes on.
    /// </summary>
    /// <summary>
    /// ALTER TABLE: replaces the definition; a new column reads as NULL in existing rows (records keep
    /// their length), so a NOT NULL column without DEFAULT needs an empty table, and a DEFAULT is written
    /// into every existing row by an UPDATE run in the same statement.
    /// </summary>
    private void AlterTable(CompiledStatement compiled)
    {
        var catalog = _database.Catalog;
        var table = catalog.FindTable(compiled.ObjectName)!;
        if (compiled.RequiresEmptyTable)
        {
            using var cursor = new Foundry.Storage.BTree(_database.Pager, table.RootPageId).OpenCursor();
            if (cursor.First())
            {
                var column = compiled.TableToCreate.Columns[^1].Name;
                throw new FoundryRuntimeException(RuntimeErrors.NotNullViolation,
                    $"column \"{column}\" of table \"{table.Name}\" would contain null values; give it a DEFAULT");
            }
        }
        if (compiled.BackfillSql is not { } backfill)
        {
            catalog.AlterTable(compiled.ObjectName, compiled.TableToCreate);
            return;
        }
        // Existing rows lack the new column: add it as nullable (so reads of old rows check for NULL),
        // write the DEFAULT into every row, then give the column its declared NOT NULL.
        var final = compiled.TableToCreate;
        var added = final.Columns[^1];
        var nullable = new TableSchema(final.Name, [.. final.Columns.Take(final.Columns.Count - 1), added with { NotNull = false }],
            final.PrimaryKey, final.RootPageId, final.Checks, final.ForeignKeys) { NextRowId = final.NextRowId };
        nullable.Indexes.AddRange(final.Indexes);
        catalog.AlterTable(compiled.ObjectName, nullable);
        var update = SqlCompiler.Compile(catalog, SqlCompiler.ParseOne(backfill), CompilerOptions);
        using (var state = new QueryState(new StatementContext(_database.Pager, []), update.Layout, 0)) update.Program(state);
        if (added.NotNull)
        {
            var current = catalog.FindTable(final.Name)!;
            var declared = new TableSchema(final.Name, final.Columns, final.PrimaryKey, final.RootPageId, final.Checks, final.ForeignKeys) { NextRowId = current.NextRowId };
            declared.Indexes.AddRange(current.Indexes);
            catalog.AlterTable(final.Name, declared);
        }
    }

    private long Modify(string sql, Func<long> change) => _database.Latched(() =>
    {
        _database.Pager.BeginStatement();
        try
        {
            var result = ErrorMapper.Run(sql, change);
            _database.Catalog.SaveRowIds();
            return result;
        }
        catch
        {
            UndoUnlessLogFailed(() => _database.Pager.RollbackStatement());
            throw;
        }
    });

    /// <summary>
    /// Undoes pages (caller holds the latch) and reloads the catalog to match — unless the log has failed
    /// (WAL6): undo may need records from the log and would log compensation, so it is left to recovery at
    /// the next open; meanwhile every statement refuses to run, so no one sees the undone-in-name changes,
    /// and the error the caller is about to rethrow is not replaced by a secondary one.
    /// </summary>
    private void UndoUnlessLogFailed(Action undoPages)
    {
        if (_database.Pager.LogFailure is not null) return;
        undoPages();
        _database.Catalog.Reload();
    }

    /// <summary>Rolls back an open transaction and releases its locks.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _open?.Dispose();
        _disposed = true;
        if (_explicit is { } txn)
        {
            _explicit = null;
            RollbackTransaction(txn);
        }
    }

    /// <summary>The catalog as the binder sees it, noting every table a statement names (for its locks).</summary>
    private sealed class RecordingCatalog(ICatalog inner) : ICatalog
    {
        public HashSet<string> Tables { get; } = new(StringComparer.Ordinal);

        public TableSchema? FindTable(string name)
        {
            var t = inner.FindTable(name);
            if (t is not null) Tables.Add(TableSchema.CatalogKey(t.Name));
            return t;
        }

        public string? FindView(string name) => inner.FindView(name);

        public bool IndexExists(string name) => inner.IndexExists(name);
    }
}
