using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests.Fuzz;

/// <summary>
/// The peer that writes into the DMB under test, as <see cref="DmbMutation"/>s see it: the DMB's bytes, and where the
/// peer's stream stands (taken from the last control block it published, when one can be read), so that a lying peer
/// can append frames and publish cursors relative to the real stream instead of at random offsets.
/// </summary>
public sealed class HostilePeer
{
    /// <summary>Takes the peer's position from the control block in <paramref name="dmb"/> (zero when none can be read).</summary>
    public HostilePeer(byte[] dmb, ulong nextSequence)
    {
        Dmb = dmb;
        NextSequence = nextSequence;
        try
        {
            if (ControlBlock.TryRead(dmb, out var block))
            {
                (Update, Producer, Consumer, Expected) = (block.Update, block.Producer, block.Consumer, block.ExpectedSequence);
            }
        }
        catch (ChannelProtocolException)
        {
            // A DMB of noise: the peer starts from nothing.
        }
    }

    /// <summary>The DMB.</summary>
    public byte[] Dmb { get; }

    /// <summary>The ring's size.</summary>
    public int Ring => ChannelLayout.RingSize(Dmb.Length);

    /// <summary>The update counter of the last control block.</summary>
    public uint Update { get; set; }

    /// <summary>Bytes the peer has put on the ring (where its next frame goes).</summary>
    public ulong Producer { get; set; }

    /// <summary>What the peer last said it consumed of our ring.</summary>
    public ulong Consumer { get; set; }

    /// <summary>What the peer last said it expects from us.</summary>
    public ulong Expected { get; set; }

    /// <summary>The sequence of the peer's next frame.</summary>
    public ulong NextSequence { get; set; }
}
