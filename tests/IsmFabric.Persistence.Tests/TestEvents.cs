namespace IsmFabric.Persistence.Tests;

public sealed record Added(int Amount);

public sealed record CounterState(int Total);

public sealed record NotRegistered(int X);

public sealed record Tagged(string Writer, int Batch, int Index);

/// <summary>The registry every persistence test uses.</summary>
internal static class TestRegistry
{
    public static EventTypeRegistry Create() => new EventTypeRegistry()
        .Register<Added>("added", 1)
        .Register<CounterState>("counter-state", 1)
        .Register<Tagged>("tagged", 1)
        .Register<CrashEvent>("crash-event", 1);
}

/// <summary>The crash target's event, read back here under the same stored name (the CLR types differ on purpose).</summary>
public sealed record CrashEvent(int Batch, int Index, int BatchSize, string Filler);
