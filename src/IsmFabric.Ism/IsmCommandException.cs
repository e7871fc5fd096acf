namespace IsmFabric.Ism;

/// <summary>A command answered a non-zero <c>ret</c>; 0xFFFF (ISM_ERROR) also stands for "the response could not be loaded".</summary>
public sealed class IsmCommandException : IsmException
{
    /// <summary>ISM_ERROR: the device could not answer.</summary>
    public const ushort IsmError = 0xFFFF;

    /// <summary>Creates the exception for <paramref name="command"/> answering <paramref name="ret"/>.</summary>
    public IsmCommandException(string device, IsmCommandCode command, ushort ret, Exception? inner = null)
        : base(
            $"{device}: {command} (0x{(uint)command:x2}) failed with ret 0x{ret:x4}{(ret == IsmError ? " (ISM_ERROR: the device did not answer)" : "")}{(inner is null ? "" : $": {inner.Message}")}",
            inner ?? new InvalidOperationException("no lower-level cause"))
    {
        Command = command;
        ReturnCode = ret;
    }

    /// <summary>The command that failed.</summary>
    public IsmCommandCode Command { get; }

    /// <summary>The ret the device answered.</summary>
    public ushort ReturnCode { get; }
}
