namespace IsmFabric.Actors;

/// <summary>
/// Stops the actor that receives it once every message queued before it has been processed
/// (unlike <see cref="IActorContext.Stop"/>, which stops it after the current message).
/// </summary>
public sealed record PoisonPill
{
    private PoisonPill()
    {
    }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();
}
