using System.Diagnostics.CodeAnalysis;

namespace Foundry.Runtime;

/// <summary>Why a running statement was asked to stop.</summary>
public enum InterruptReason
{
    None = 0,
    /// <summary>Session.Cancel or the statement's CancellationToken (PostgreSQL: SQLSTATE 57014).</summary>
    UserRequest = 1,
    /// <summary>The statement ran longer than its statement timeout (PostgreSQL: SQLSTATE 57014).</summary>
    StatementTimeout = 2,
}

/// <summary>
/// The stop request of one running statement. Any thread may <see cref="Request"/> it; the statement's
/// own thread polls it: generated code at the top of every loop iteration (<see cref="ThrowIfRequested"/>,
/// one volatile read), Runtime loops that run long without generated code between their steps (a sort's
/// comparisons) every few thousand steps through <see cref="Poll"/>. The first reason requested wins;
/// a request is never withdrawn, so a statement that saw it stops.
/// </summary>
public sealed class StatementInterrupt
{
    /// <summary>Steps between two polls of a Runtime loop.</summary>
    public const int PollInterval = 4096;

    private int _reason;

    public InterruptReason Reason => (InterruptReason)Volatile.Read(ref _reason);

    public bool Requested => Volatile.Read(ref _reason) != 0;

    public void Request(InterruptReason reason) => Interlocked.CompareExchange(ref _reason, (int)reason, 0);

    /// <summary>Called from generated code once per loop iteration.</summary>
    public void ThrowIfRequested()
    {
        if (Requested) Throw();
    }

    /// <summary>For Runtime loops: checks the request once every <see cref="PollInterval"/> calls, counting down in <paramref name="countdown"/>.</summary>
    public void Poll(ref int countdown)
    {
        if (--countdown > 0) return;
        countdown = PollInterval;
        ThrowIfRequested();
    }

    [DoesNotReturn]
    public void Throw() => RuntimeErrors.ThrowInterrupted(Reason);
}
