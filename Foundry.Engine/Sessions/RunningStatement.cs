using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// One statement of a session from its start until its result is finished (for a query: read to the end
/// or disposed): the stop request that <see cref="Session.Cancel"/> (any thread), the caller's
/// CancellationToken and the statement timeout raise, and that the statement's compiled loops, its sort
/// and its lock waits poll. The timeout counts from the start, lock waits and the reading of rows
/// included, as PostgreSQL's statement_timeout does.
/// </summary>
internal sealed class RunningStatement : IDisposable
{
    private readonly Timer? _timer;
    private readonly CancellationTokenRegistration _registration;

    public RunningStatement(TimeSpan? timeout, CancellationToken cancellation)
    {
        if (timeout is { } t && t > TimeSpan.Zero)
            _timer = new Timer(static s => ((StatementInterrupt)s!).Request(InterruptReason.StatementTimeout), Interrupt, t, Timeout.InfiniteTimeSpan);
        // Registering an already cancelled token runs the callback at once: the statement stops at its first check.
        _registration = cancellation.Register(static s => ((StatementInterrupt)s!).Request(InterruptReason.UserRequest), Interrupt);
    }

    public StatementInterrupt Interrupt { get; } = new();

    public void Dispose()
    {
        _timer?.Dispose();
        _registration.Dispose();
    }
}
