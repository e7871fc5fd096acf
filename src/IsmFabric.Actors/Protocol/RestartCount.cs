namespace IsmFabric.Actors;

/// <summary>The answer to <see cref="GetRestartCount"/>.</summary>
/// <param name="Count">Re-creations since the last reset.</param>
public sealed record RestartCount(int Count);
