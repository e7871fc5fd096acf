namespace IsmFabric.Actors.Tests;

/// <summary>Replies every message to its sender.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender.Tell(m));
}
