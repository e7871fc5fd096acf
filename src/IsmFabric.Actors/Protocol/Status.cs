namespace IsmFabric.Actors;

/// <summary>Outcome messages of asynchronous work, as sent by <see cref="PipeToExtensions"/> and understood by Ask.</summary>
public static class Status
{
    /// <summary>The work succeeded; <paramref name="Value"/> is its result, if any.</summary>
    /// <param name="Value">The result, or null.</param>
    public sealed record Success(object? Value);

    /// <summary>The work failed with <paramref name="Cause"/>; an Ask that receives it fails with that exception.</summary>
    /// <param name="Cause">The exception.</param>
    public sealed record Failure(Exception Cause);
}
