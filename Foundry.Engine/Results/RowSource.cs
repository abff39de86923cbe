using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// Streams a compiled query's rows: each <see cref="MoveNext"/> calls the compiled delegate, which
/// runs until it has one row in the state's output row. Holds the database's statement lock until
/// exhausted or disposed, then releases it exactly once.
/// </summary>
internal sealed class RowSource : IDisposable
{
    private readonly Func<QueryState, bool> _program;
    private readonly QueryState _state;
    private readonly string _sql;
    private Action? _release;

    public RowSource(Func<QueryState, bool> program, QueryState state, string sql, Action release)
    {
        _program = program;
        _state = state;
        _sql = sql;
        _release = release;
    }

    public OutputRow Current => _state.Output;

    public bool MoveNext()
    {
        if (_release is null) return false;
        try
        {
            if (_program(_state)) return true;
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
        var release = Interlocked.Exchange(ref _release, null);
        if (release is null) return;
        _state.Dispose();
        release();
    }
}
