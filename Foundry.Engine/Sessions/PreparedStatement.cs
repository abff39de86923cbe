using Foundry.Compiler;

namespace Foundry.Engine;

/// <summary>
/// A statement compiled once and run many times: parameters ($1, $2, ... or ?) are bound at each
/// execution. The compilation is tied to the catalog's schema version: after any schema change the
/// next execution compiles again, since compiled code refers to the catalog's table objects.
/// </summary>
public sealed class PreparedStatement
{
    private readonly Session _session;
    private readonly ParsedStatement _statement;
    private CompiledStatement? _compiled;
    private long _version = -1;

    internal PreparedStatement(Session session, ParsedStatement statement)
    {
        _session = session;
        _statement = statement;
    }

    /// <summary>The statement's SQL text.</summary>
    public string Sql => _statement.Text;

    /// <summary>Runs the statement with these parameter values.</summary>
    public QueryResult Execute(params object?[] parameters) => _session.Run(_statement, parameters, this, CancellationToken.None);

    /// <summary>The compilation valid for `schemaVersion`, compiling when there is none (called under the storage latch).</summary>
    internal CompiledStatement CompiledFor(long schemaVersion)
    {
        if (_compiled is null || _version != schemaVersion)
        {
            _compiled = _session.Compile(_statement);
            _version = schemaVersion;
        }
        return _compiled;
    }
}
