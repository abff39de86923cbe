using System.Text;

namespace Foundry.Cli.Output;

/// <summary>
/// The lines of a request stream as raw bytes, without their "\n" or "\r\n": every line, empty ones and
/// ones that are not valid UTF-8 included, so that the protocol answers each (and can say which bytes are
/// wrong instead of seeing them replaced by U+FFFD). A last line without "\n" is a line too.
/// </summary>
public static class RequestLines
{
    public static IEnumerable<byte[]> Read(Stream input)
    {
        var line = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                yield return Take(line);
                start = i + 1;
            }
            line.Write(buffer, start, n - start);
        }
        if (line.Length > 0) yield return Take(line);
    }

    /// <summary>Lines of text (in-process callers), encoded as UTF-8; a lone surrogate becomes U+FFFD here, since text cannot carry bytes.</summary>
    public static IEnumerable<byte[]> Read(TextReader input)
    {
        while (input.ReadLine() is { } line) yield return Encoding.UTF8.GetBytes(line);
    }

    private static byte[] Take(MemoryStream line)
    {
        var bytes = line.ToArray();
        line.SetLength(0);
        var length = bytes.Length;
        if (length > 0 && bytes[length - 1] == (byte)'\r') length--;
        return length == bytes.Length ? bytes : bytes[..length];
    }
}
