using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>The rows behind a <see cref="QueryResult"/>: streamed from compiled code, or buffered.</summary>
internal interface IRowSource : IDisposable
{
    OutputRow Current { get; }
    bool MoveNext();
}
