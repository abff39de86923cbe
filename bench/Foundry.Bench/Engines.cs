using System.Text;
using Foundry.Engine;
using Microsoft.Data.Sqlite;

namespace Foundry.Bench;

/// <summary>A forward-only typed row stream: the part of a result reader that the workloads use.</summary>
public interface IRows : IDisposable
{
    bool Read();
    long GetInt64(int ordinal);
    double GetDouble(int ordinal);
    string GetString(int ordinal);
}

/// <summary>A statement compiled once, run with parameters $1, $2, ... bound per execution.</summary>
public interface IStatement : IDisposable
{
    IRows Query(params object?[] args);
    long Run(params object?[] args);
}

/// <summary>One engine under test, on a file in the benchmark's temporary directory.</summary>
public interface IEngine : IDisposable
{
    string Name { get; }
    string Path { get; }
    IStatement Prepare(string sql);
    IRows Query(string sql, params object?[] args);
    long Run(string sql, params object?[] args);

    /// <summary>Inserts these rows of t and, when given, of d, through each engine's load path: W1's work.</summary>
    void Load(TableRows t, DataSet? d);

    /// <summary>Inserts these rows of t, each as its own committed transaction, durable on return: W8's work.</summary>
    void DurableInserts(TableRows rows);

    /// <summary>Moves the log into the database file and releases the log's space, so <see cref="FileBytes"/> is the data's size.</summary>
    void Checkpoint();

    /// <summary>Database file plus write-ahead log.</summary>
    long FileBytes();
}

public static class Schema
{
    public const string T = "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v REAL NOT NULL, s TEXT NOT NULL)";
    public const string D = "CREATE TABLE d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, cat INTEGER NOT NULL)";

    /// <summary>INSERT INTO table VALUES ($1,..,$c), ($c+1, ..), ... with `rows` rows of `columns` parameters.</summary>
    public static string MultiRowInsert(string table, int columns, int rows)
    {
        var sb = new StringBuilder($"INSERT INTO {table} VALUES ");
        var p = 1;
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sb.Append(", ");
            sb.Append('(');
            for (var c = 0; c < columns; c++)
            {
                if (c > 0) sb.Append(", ");
                sb.Append('$').Append(p++);
            }
            sb.Append(')');
        }
        return sb.ToString();
    }
}

// ---------------------------------------------------------------------------------------------
// Foundry
// ---------------------------------------------------------------------------------------------

public sealed class FoundryEngine : IEngine
{
    /// <summary>
    /// How W1 loads Foundry: BEGIN, one prepared single-row INSERT per row, COMMIT, exactly as on
    /// SQLite. (False selects the older path of prepared multi-row INSERTs, one autocommit statement
    /// per <see cref="LoadBatchRows"/> rows, kept for comparison.)
    /// </summary>
    public static readonly bool UseTransactions = true;

    /// <summary>Rows per multi-row INSERT while <see cref="UseTransactions"/> is false.</summary>
    public static int LoadBatchRows { get; set; } = 1000;

    public static string LoadMethod => UseTransactions
        ? "BEGIN; prepared single-row INSERT per row; COMMIT"
        : $"no BEGIN/COMMIT yet: prepared multi-row INSERT of {LoadBatchRows} rows ({LoadBatchRows * 4} parameters) per autocommit statement, each statement commits with fsync";

    public const string DurableMethod = "autocommit prepared INSERT: each commit appends to the write-ahead log and returns after its fsync";

    private readonly Database _db;
    private readonly Session _session;

    public FoundryEngine(string path, int cacheMb)
    {
        _db = Database.Open(path, new DatabaseOptions { CacheFrames = (int)((long)cacheMb * 1024 * 1024 / 8192), PageSizeBytes = 8192 });
        _session = _db.OpenSession();
        Path = path;
    }

    public string Name => "foundry";
    public string Path { get; }

    public IStatement Prepare(string sql) => new Statement(_session.Prepare(sql));

    public IRows Query(string sql, params object?[] args) => new Rows(_session.Execute(sql, args));

    public long Run(string sql, params object?[] args)
    {
        using var r = _session.Execute(sql, args);
        return r.RowsAffected;
    }

    public void Load(TableRows t, DataSet? d)
    {
        if (UseTransactions)
        {
            Run("BEGIN");
            var insert = _session.Prepare("INSERT INTO t VALUES ($1, $2, $3, $4)");
            for (var i = 0; i < t.Count; i++) insert.Execute(t.Id[i], t.K[i], t.V[i], t.S[i]).Dispose();
            if (d is not null)
            {
                var insertD = _session.Prepare("INSERT INTO d VALUES ($1, $2, $3)");
                for (var i = 0; i < d.DId.Length; i++) insertD.Execute(d.DId[i], d.DName[i], d.DCat[i]).Dispose();
            }
            Run("COMMIT");
            return;
        }
        LoadBatched("t", 4, t.Count, (args, at, i) =>
        {
            args[at] = t.Id[i];
            args[at + 1] = t.K[i];
            args[at + 2] = t.V[i];
            args[at + 3] = t.S[i];
        });
        if (d is not null)
            LoadBatched("d", 3, d.DId.Length, (args, at, i) =>
            {
                args[at] = d.DId[i];
                args[at + 1] = d.DName[i];
                args[at + 2] = d.DCat[i];
            });
    }

    private void LoadBatched(string table, int columns, int count, Action<object?[], int, int> fill)
    {
        var full = _session.Prepare(Schema.MultiRowInsert(table, columns, LoadBatchRows));
        var args = new object?[LoadBatchRows * columns];
        var i = 0;
        for (; i + LoadBatchRows <= count; i += LoadBatchRows)
        {
            for (var r = 0; r < LoadBatchRows; r++) fill(args, r * columns, i + r);
            full.Execute(args).Dispose();
        }
        var rest = count - i;
        if (rest == 0) return;
        var tail = _session.Prepare(Schema.MultiRowInsert(table, columns, rest));
        var tailArgs = new object?[rest * columns];
        for (var r = 0; r < rest; r++) fill(tailArgs, r * columns, i + r);
        tail.Execute(tailArgs).Dispose();
    }

    public void DurableInserts(TableRows rows)
    {
        var insert = _session.Prepare("INSERT INTO t VALUES ($1, $2, $3, $4)");
        for (var i = 0; i < rows.Count; i++) insert.Execute(rows.Id[i], rows.K[i], rows.V[i], rows.S[i]).Dispose();
    }

    /// <summary>
    /// The same durable single-row commits from `sessions` concurrent sessions (threads), each
    /// inserting every sessions-th row: concurrent committers share log flushes (group commit).
    /// </summary>
    public void ConcurrentDurableInserts(TableRows rows, int sessions)
    {
        var threads = Enumerable.Range(0, sessions).Select(worker => new Thread(() =>
        {
            using var session = _db.OpenSession();
            var insert = session.Prepare("INSERT INTO t VALUES ($1, $2, $3, $4)");
            for (var i = worker; i < rows.Count; i += sessions) insert.Execute(rows.Id[i], rows.K[i], rows.V[i], rows.S[i]).Dispose();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }

    public void Checkpoint() => Run("CHECKPOINT");

    /// <summary>fsyncs of the log so far: with <see cref="ConcurrentDurableInserts"/>, shows how many commits each one carried.</summary>
    public long LogSyncCount => _db.LogSyncCount;

    public long FileBytes() => FileSize(Path) + FileSize(Path + "-wal");

    internal static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public void Dispose()
    {
        _session.Dispose();
        _db.Dispose();
    }

    private sealed class Statement(PreparedStatement prepared) : IStatement
    {
        public IRows Query(params object?[] args) => new Rows(prepared.Execute(args));

        public long Run(params object?[] args)
        {
            using var r = prepared.Execute(args);
            return r.RowsAffected;
        }

        public void Dispose() { }
    }

    private sealed class Rows(QueryResult result) : IRows
    {
        public bool Read() => result.Read();
        public long GetInt64(int ordinal) => result.GetInt64(ordinal);
        public double GetDouble(int ordinal) => result.GetDouble(ordinal);
        public string GetString(int ordinal) => result.GetString(ordinal);
        public void Dispose() => result.Dispose();
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite (in-process, Microsoft.Data.Sqlite.Core over e_sqlite3)
// ---------------------------------------------------------------------------------------------

public sealed class SqliteEngine : IEngine
{
    public const string LoadMethod = "BEGIN; prepared single-row INSERT per row; COMMIT";
    public const string DurableMethod = "autocommit INSERT, journal_mode=WAL, synchronous=FULL";

    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;

    static SqliteEngine() => SQLitePCL.Batteries_V2.Init();

    public SqliteEngine(string path, int cacheMb)
    {
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Run("PRAGMA journal_mode=WAL");
        Run("PRAGMA synchronous=NORMAL");
        Run($"PRAGMA cache_size=-{cacheMb * 1024}");
    }

    public string Name => "sqlite";
    public string Path { get; }

    public static string Version
    {
        get
        {
            SQLitePCL.Batteries_V2.Init();
            return SQLitePCL.raw.sqlite3_libversion().utf8_to_string();
        }
    }

    public void SetSynchronous(string mode) => Run($"PRAGMA synchronous={mode}");

    public IStatement Prepare(string sql) => new Statement(this, sql);

    public IRows Query(string sql, params object?[] args)
    {
        var cmd = Command(sql, args.Length);
        for (var i = 0; i < args.Length; i++) cmd.Parameters[i].Value = args[i];
        return new Rows(cmd, cmd.ExecuteReader());
    }

    public long Run(string sql, params object?[] args)
    {
        using var cmd = Command(sql, args.Length);
        for (var i = 0; i < args.Length; i++) cmd.Parameters[i].Value = args[i];
        return cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, int parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _transaction;
        for (var i = 1; i <= parameters; i++) cmd.Parameters.Add(new SqliteParameter("$" + i, null));
        return cmd;
    }

    public void Load(TableRows t, DataSet? d)
    {
        _transaction = _connection.BeginTransaction();
        using (var insert = Command("INSERT INTO t VALUES ($1, $2, $3, $4)", 4))
        {
            insert.Prepare();
            var p = insert.Parameters;
            for (var i = 0; i < t.Count; i++)
            {
                p[0].Value = t.Id[i];
                p[1].Value = t.K[i];
                p[2].Value = t.V[i];
                p[3].Value = t.S[i];
                insert.ExecuteNonQuery();
            }
        }
        if (d is not null)
        {
            using var insertD = Command("INSERT INTO d VALUES ($1, $2, $3)", 3);
            insertD.Prepare();
            var p = insertD.Parameters;
            for (var i = 0; i < d.DId.Length; i++)
            {
                p[0].Value = d.DId[i];
                p[1].Value = d.DName[i];
                p[2].Value = d.DCat[i];
                insertD.ExecuteNonQuery();
            }
        }
        _transaction.Commit();
        _transaction.Dispose();
        _transaction = null;
    }

    public void DurableInserts(TableRows rows)
    {
        using var insert = Command("INSERT INTO t VALUES ($1, $2, $3, $4)", 4);
        insert.Prepare();
        var p = insert.Parameters;
        for (var i = 0; i < rows.Count; i++)
        {
            p[0].Value = rows.Id[i];
            p[1].Value = rows.K[i];
            p[2].Value = rows.V[i];
            p[3].Value = rows.S[i];
            insert.ExecuteNonQuery();
        }
    }

    public long FileBytes() => FoundryEngine.FileSize(Path) + FoundryEngine.FileSize(Path + "-wal");

    public void Checkpoint() => Run("PRAGMA wal_checkpoint(TRUNCATE)");

    public void Dispose() => _connection.Dispose();

    private sealed class Statement : IStatement
    {
        private readonly SqliteCommand _cmd;

        public Statement(SqliteEngine engine, string sql)
        {
            var count = 0;
            for (var i = 1; sql.Contains("$" + i); i++) count = i;
            _cmd = engine.Command(sql, count);
            _cmd.Prepare();
        }

        public IRows Query(params object?[] args)
        {
            for (var i = 0; i < args.Length; i++) _cmd.Parameters[i].Value = args[i];
            return new Rows(null, _cmd.ExecuteReader());
        }

        public long Run(params object?[] args)
        {
            for (var i = 0; i < args.Length; i++) _cmd.Parameters[i].Value = args[i];
            return _cmd.ExecuteNonQuery();
        }

        public void Dispose() => _cmd.Dispose();
    }

    private sealed class Rows(SqliteCommand? owned, SqliteDataReader reader) : IRows
    {
        public bool Read() => reader.Read();
        public long GetInt64(int ordinal) => reader.GetInt64(ordinal);
        public double GetDouble(int ordinal) => reader.GetDouble(ordinal);
        public string GetString(int ordinal) => reader.GetString(ordinal);

        public void Dispose()
        {
            reader.Dispose();
            owned?.Dispose();
        }
    }
}
