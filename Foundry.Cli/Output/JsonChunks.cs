using System.Text;
using System.Text.Json;

namespace Foundry.Cli.Output;

/// <summary>
/// A Utf8JsonWriter whose output goes to a TextWriter in pieces: <see cref="WriteIfFull"/>, called after each
/// complete value, hands the buffered bytes on once they reach <see cref="Bytes"/>. The writer flushes only whole
/// tokens, so every piece is complete UTF-8 and decodes on its own.
/// </summary>
public sealed class JsonChunks : IDisposable
{
    /// <summary>Buffered output that is written on.</summary>
    public const int Bytes = 64 * 1024;

    private readonly MemoryStream _buffer = new();
    private readonly TextWriter _writer;

    public JsonChunks(TextWriter writer)
    {
        _writer = writer;
        Json = new Utf8JsonWriter(_buffer, JsonValueWriter.Options);
    }

    public Utf8JsonWriter Json { get; }

    /// <summary>Bytes written to the JSON writer and not yet handed on.</summary>
    public long Pending => Json.BytesPending + _buffer.Length;

    public void WriteIfFull()
    {
        if (Pending >= Bytes) WriteAll();
    }

    /// <summary>Everything buffered so far, as text, taken out of the buffer instead of being handed on.</summary>
    public string Take()
    {
        Json.Flush();
        var text = Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
        _buffer.SetLength(0);
        return text;
    }

    /// <summary>Hands everything buffered so far to the TextWriter.</summary>
    public void WriteAll() => _writer.Write(Take());

    public void Dispose()
    {
        Json.Dispose();
        _buffer.Dispose();
    }
}
