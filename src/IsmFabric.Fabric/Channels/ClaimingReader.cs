using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace IsmFabric.Fabric.Channels;

/// <summary>The node's queue of channels peers opened, as services read it: a channel read from here is claimed.</summary>
internal sealed class ClaimingReader(ChannelReader<IFabricChannel> inner) : ChannelReader<IFabricChannel>
{
    public override Task Completion => inner.Completion;

    public override bool TryRead([MaybeNullWhen(false)] out IFabricChannel item)
    {
        if (!inner.TryRead(out item))
        {
            return false;
        }

        (item as FabricChannel)?.Claim();
        return true;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
