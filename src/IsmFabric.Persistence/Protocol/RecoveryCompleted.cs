namespace IsmFabric.Persistence;

/// <summary>Delivered to the recovery handlers once the snapshot and every event have been replayed; commands start after it.</summary>
public sealed record RecoveryCompleted
{
    private RecoveryCompleted()
    {
    }

    /// <summary>The single instance.</summary>
    public static RecoveryCompleted Instance { get; } = new();
}
