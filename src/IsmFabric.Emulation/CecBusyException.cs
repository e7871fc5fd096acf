namespace IsmFabric.Emulation;

/// <summary>The emulated CEC's lock stayed taken for longer than any caller waits: its holder is stopped or stuck.</summary>
/// <remarks>Nothing was changed; the operation may be tried again. An <see cref="IOException"/>, as a timed-out device access is.</remarks>
public sealed class CecBusyException : IOException
{
    /// <summary>Creates the exception with the message that names the lock and its holder.</summary>
    public CecBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public CecBusyException()
        : base("the emulated CEC's lock is held by another process")
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public CecBusyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
