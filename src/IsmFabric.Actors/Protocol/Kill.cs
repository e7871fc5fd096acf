namespace IsmFabric.Actors;

/// <summary>
/// Makes the receiving actor fail with an <see cref="ActorKilledException"/> when it reaches the message, so its
/// supervisor decides what happens (the default strategy stops it).
/// </summary>
public sealed record Kill
{
    private Kill()
    {
    }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();
}
