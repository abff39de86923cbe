using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// Streams a compiled query's rows: each <see cref="MoveNext"/> calls the compiled delegate under the
/// database's storage latch, which runs until it has one row in the state's output row. The statement's
/// locks stay held (by its transaction) between rows; when the rows are exhausted or the source is
/// disposed, `finish` runs exactly once (an autocommit query's transaction ends there).
/// </summary>
internal sealed class RowSource : IRowSource
{
    private readonly Func<QueryState, bool> _program;
    private readonly QueryState _state;
    private readonly string _sql;
    private readonly Database _database;
    private Action? _finish;

    public RowSource(Func<QueryState, bool> program, QueryState state, string sql, Database database, Action finish)
    {
        _program = program;
        _state = state;
        _sql = sql;
        _database = database;
        _finish = finish;
    }

    public OutputRow Current => _state.Output;

    public bool MoveNext()
    {
        if (_finish is null) return false;
        try
        {
            if (_database.Latched(() => _program(_state))) return true;
        }
        catch (Exception e) when (ErrorMapper.Map(_sql, e) is { } mapped)
        {
            Dispose();
            throw mapped;
        }
        Dispose();
        return false;
    }

    public void Dispose()
    {
        var finish = Interlocked.Exchange(ref _finish, null);
        if (finish is null) return;
        try
        {
            _database.Latched(() => _state.Dispose());
        }
        finally
        {
            finish();
        }
    }
}
