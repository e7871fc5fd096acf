namespace IsmFabric.Actors;

/// <summary>Asks a BackoffSupervisor how many re-creations it has made since the last reset; the answer is RestartCount.</summary>
public sealed record GetRestartCount
{
    private GetRestartCount()
    {
    }

    /// <summary>The single instance.</summary>
    public static GetRestartCount Instance { get; } = new();
}
