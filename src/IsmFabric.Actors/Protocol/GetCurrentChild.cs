namespace IsmFabric.Actors;

/// <summary>Asks a BackoffSupervisor for its current child; the answer is CurrentChild.</summary>
public sealed record GetCurrentChild
{
    private GetCurrentChild()
    {
    }

    /// <summary>The single instance.</summary>
    public static GetCurrentChild Instance { get; } = new();
}
