namespace IsmFabric.Cli.Agent;

/// <summary>Deterministic pseudo-random bytes (xorshift64*): sender and receiver derive the same stream from a seed.</summary>
internal sealed class PatternGenerator(ulong seed)
{
    private ulong _state = seed == 0 ? 0x9E37_79B9_7F4A_7C15UL : seed;

    internal void Fill(Span<byte> buffer)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Next();
        }

        for (var i = words.Length * 8; i < buffer.Length; i++)
        {
            buffer[i] = (byte)Next();
        }
    }

    private ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545_F491_4F6C_DD1DUL;
    }
}
