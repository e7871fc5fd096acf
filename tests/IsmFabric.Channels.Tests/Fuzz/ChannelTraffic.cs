namespace IsmFabric.Channels.Tests.Fuzz;

/// <summary>
/// The valid traffic a channel carried before its DMB was tampered with, so that the reader's cursors and
/// acknowledgements are somewhere in the middle: messages A sent that B read, B's replies that A read (A's control
/// block in B's DMB then acknowledges them and reports A's consumption), and messages A sent that B has not read yet.
/// </summary>
/// <param name="ReaderDmbSize">Size of B's DMB, the one tampered with (16 KiB, or 20 KiB for a ring that is not a power of two).</param>
/// <param name="Read">Sizes of the messages A sent and B read.</param>
/// <param name="Replies">Sizes of the messages B sent and A read.</param>
/// <param name="Unread">Sizes of the messages A sent that are on B's ring, unread.</param>
public sealed record ChannelTraffic(int ReaderDmbSize, int[] Read, int[] Replies, int[] Unread)
{
    public override string ToString() =>
        $"B's DMB {ReaderDmbSize} bytes; A sent [{string.Join(", ", Read)}] (read), B replied [{string.Join(", ", Replies)}] (read), " +
        $"A sent [{string.Join(", ", Unread)}] (unread)";
}
