using System.Text;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// Unbuffered line protocol over a pair of pipe streams (a child's stdin/stdout), so that raw single-byte
/// ping-pong can follow on the same pipes without a reader having swallowed the bytes.
/// </summary>
internal sealed class LineChannel(Stream input, Stream output)
{
    internal Stream Input => input;

    internal Stream Output => output;

    internal static LineChannel Console() => new(System.Console.OpenStandardInput(), System.Console.OpenStandardOutput());

    internal void Send(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        output.Write(bytes);
        output.Flush();
    }

    /// <summary>Reads one line; null at end of stream.</summary>
    internal string? Receive()
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var n = input.Read(one, 0, 1);
            if (n == 0)
            {
                return buffer.Count == 0 ? null : Encoding.UTF8.GetString([.. buffer]);
            }

            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString([.. buffer]);
            }

            buffer.Add(one[0]);
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns the rest of it. Fails on end of stream.</summary>
    internal string Expect(string prefix)
    {
        while (true)
        {
            var line = Receive() ?? throw new IOException($"the peer process ended before sending '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }

            if (line.StartsWith("ERROR", StringComparison.Ordinal))
            {
                throw new IOException($"the peer process failed: {line}");
            }
        }
    }
}
