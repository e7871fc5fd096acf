namespace IsmFabric.Channels;

/// <summary>What the writer of a control block asks of its peer.</summary>
[Flags]
public enum ControlFlags : ushort
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The writer is about to sleep waiting for data: signal the next produce.</summary>
    WantsData = 1,

    /// <summary>The writer is waiting for ring space: signal when you consume.</summary>
    WantsSpace = 2,

    /// <summary>The writer is closing the channel; nothing more will come.</summary>
    Closing = 4,
}
