namespace IsmFabric.Persistence.Tests;

/// <summary>The registry every persistence test uses.</summary>
internal static class TestRegistry
{
    public static EventTypeRegistry Create() => new EventTypeRegistry()
        .Register<Added>("added", 1)
        .Register<CounterState>("counter-state", 1)
        .Register<Tagged>("tagged", 1)
        .Register<CrashEvent>("crash-event", 1);
}
