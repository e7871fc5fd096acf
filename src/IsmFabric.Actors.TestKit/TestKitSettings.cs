using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors.TestKit;

/// <summary>Settings of a <see cref="TestKit"/>, each with a default that suits a fast unit test.</summary>
public sealed record TestKitSettings
{
    /// <summary>Run the system on a <see cref="TestScheduler"/> (virtual time; advance it from the test). Default false: real time.</summary>
    public bool UseTestScheduler { get; init; }

    /// <summary>How long ExpectMsg and friends wait when no timeout is given. Default 5 s (generous: CI machines are slow).</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long ExpectNoMsg watches when no duration is given. Default 200 ms.</summary>
    public TimeSpan DefaultNoMessageDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The shutdown deadline used when the test kit is disposed. Default 10 s.</summary>
    public TimeSpan ShutdownDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Log level written to the test output. Default Information.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>The actor system's name. Default "test".</summary>
    public string SystemName { get; init; } = "test";

    /// <summary>Changes applied to the system settings after the test kit set logging and scheduler.</summary>
    public Func<ActorSystemSettings, ActorSystemSettings>? ConfigureSystem { get; init; }
}
