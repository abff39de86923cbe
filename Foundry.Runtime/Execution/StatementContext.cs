using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// What one running statement may touch: the database's pager and the statement's parameters, plus
/// reusable encoders so that generated code allocates nothing per row for keys and records, and the
/// memory budget of its operators with their spill files (released when the statement's
/// <see cref="QueryState"/> is disposed). Owned by one session and used by one thread at a time.
/// </summary>
public sealed class StatementContext
{
    public StatementContext(Pager pager, object?[] parameters, StatementInterrupt? interrupt = null, OperatorMemory? memory = null)
    {
        Pager = pager;
        Parameters = parameters;
        Interrupt = interrupt ?? new StatementInterrupt();
        Memory = memory ?? new OperatorMemory();
        Memory.Interrupt = Interrupt;
    }

    /// <summary>Where another thread asks this statement to stop (cancel, statement timeout).</summary>
    public StatementInterrupt Interrupt { get; }

    public Pager Pager { get; }
    public object?[] Parameters { get; }
    public KeyWriter Keys { get; } = new();
    public RecordWriter Records { get; } = new();

    /// <summary>Operator memory budget and spill files; called from generated code (sorts, hash tables).</summary>
    public OperatorMemory Memory { get; }

    public BTreeCursor OpenCursor(uint rootPageId) => new BTree(Pager, rootPageId).OpenCursor();
}
