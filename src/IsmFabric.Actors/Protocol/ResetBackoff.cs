namespace IsmFabric.Actors;

/// <summary>Tells a BackoffSupervisor to start its delay curve again from MinBackoff.</summary>
public sealed record ResetBackoff
{
    private ResetBackoff()
    {
    }

    /// <summary>The single instance.</summary>
    public static ResetBackoff Instance { get; } = new();
}
