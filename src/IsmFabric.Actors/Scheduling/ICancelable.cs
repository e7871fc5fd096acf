namespace IsmFabric.Actors;

/// <summary>A scheduled action that can be cancelled before it runs (or between repetitions).</summary>
public interface ICancelable
{
    /// <summary>True once <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }

    /// <summary>Prevents every future run of the action; idempotent.</summary>
    void Cancel();
}
