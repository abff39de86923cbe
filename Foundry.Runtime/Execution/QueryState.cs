namespace Foundry.Runtime;

/// <summary>
/// The state of one execution of a compiled statement, kept between calls of its delegate.
/// Compiled code is a function <c>bool Next(QueryState)</c> that runs its pipelines until it has one
/// output row in <see cref="Output"/> (true) or none is left (false). Everything that must survive
/// from one call to the next lives here, in slots the code generator numbered: open cursors,
/// counters (rows skipped, emitted, affected), flags (pipeline started, finished) and materialised
/// buffers. Locals of the generated code hold only per-row values.
/// </summary>
public sealed class QueryState : IDisposable
{
    public QueryState(StatementContext context, StateLayout layout, int outputWidth)
    {
        Context = context;
        Interrupt = context.Interrupt;
        Cursors = new Foundry.Storage.BTreeCursor?[layout.Cursors];
        Counters = new long[layout.Counters];
        Flags = new bool[layout.Flags];
        Buffers = new ColumnBuffer?[layout.Buffers];
        Objects = new object?[layout.Objects];
        Output = new OutputRow(outputWidth);
    }

    public readonly StatementContext Context;

    /// <summary>The statement's stop request, polled by generated loops (the context's, one load closer).</summary>
    public readonly StatementInterrupt Interrupt;
    public readonly Foundry.Storage.BTreeCursor?[] Cursors;
    public readonly long[] Counters;
    public readonly bool[] Flags;
    public readonly ColumnBuffer?[] Buffers;

    /// <summary>Operator state other than buffers: hash tables, sets, pending writes.</summary>
    public readonly object?[] Objects;
    public readonly OutputRow Output;

    /// <summary>
    /// Where the next call continues: 0 at the start, k after the row returned at resume point k
    /// (the generated code's dispatch jumps back there; see Foundry.Compiler CodeGen/Resume.fs).
    /// </summary>
    public int ResumePoint;

    /// <summary>
    /// Closes the cursors and releases operator state, deleting every spill file (OM3). The slots are
    /// emptied, so buffers and hash tables are garbage as soon as the statement ends, even while its
    /// result object is still referenced.
    /// </summary>
    public void Dispose()
    {
        foreach (var cursor in Cursors) cursor?.Dispose();
        foreach (var state in Objects) (state as IDisposable)?.Dispose();
        Array.Clear(Cursors);
        Array.Clear(Objects);
        Array.Clear(Buffers);
        Context.Memory.Dispose();
    }

    /// <summary>
    /// Returns the slots a subquery uses to their initial state, so that it runs afresh for the next
    /// outer row: called from generated code before each evaluation of a subquery.
    /// </summary>
    public void ResetSlots(int firstCursor, int cursorCount, int firstCounter, int counterCount, int firstFlag, int flagCount, int firstBuffer, int bufferCount, int firstObject, int objectCount)
    {
        for (var i = firstCursor; i < firstCursor + cursorCount; i++)
        {
            Cursors[i]?.Dispose();
            Cursors[i] = null;
        }
        Array.Clear(Counters, firstCounter, counterCount);
        Array.Clear(Flags, firstFlag, flagCount);
        Array.Clear(Buffers, firstBuffer, bufferCount);
        for (var i = firstObject; i < firstObject + objectCount; i++) (Objects[i] as IDisposable)?.Dispose();
        Array.Clear(Objects, firstObject, objectCount);
    }
}

/// <summary>How many state slots of each kind a compiled statement uses.</summary>
public sealed record StateLayout(int Cursors, int Counters, int Flags, int Buffers, int Objects);
