using IsmFabric.Fabric.Protocol;

namespace IsmFabric.Host.Tests;

/// <summary>A node that answers from fixed data (or fails, when told to).</summary>
internal sealed class FakeNodeQueries : IFabricNodeQueries
{
    public static readonly DateTimeOffset Started = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public NodeStatus Status { get; } = new("lpar1", Started, 2, 2, 1, 1, 1, 2);

    public IReadOnlyList<DeviceStatus> Devices { get; } =
    [
        new("ism-00000010", 0x10, "0x1000000000000010", 0x100, "NETA", DeviceState.Up, 3, 0, null),
        new("ism-00000011", 0x11, "", 0x200, "NETB", DeviceState.Restarting, 0, 2, "function in error state"),
    ];

    public IReadOnlyList<PeerStatus> Peers { get; } =
    [
        new("lpar2", ["0x1000000000000020", "0x1000000000000021"], true, ["0x1000000000000020"], Started.AddSeconds(3), 12.5, 1),
    ];

    public IReadOnlyList<ChannelStatus> Channels { get; } =
    [
        new("0x1000000000000010/000001", "lpar2", ChannelState.Open, "ism-00000010", 1, 10, 11, 1000, 1100, null),
        new("0x1000000000000010/000002", "lpar2", ChannelState.Closed, "ism-00000010", 0, 0, 0, 0, 0, "peer shut down"),
    ];

    /// <summary>When set, every query throws this.</summary>
    public Exception? Failure { get; set; }

    public Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken) => Answer(Status);

    public Task<IReadOnlyList<DeviceStatus>> GetDevicesAsync(CancellationToken cancellationToken) => Answer(Devices);

    public Task<IReadOnlyList<PeerStatus>> GetPeersAsync(CancellationToken cancellationToken) => Answer(Peers);

    public Task<IReadOnlyList<ChannelStatus>> GetChannelsAsync(CancellationToken cancellationToken) => Answer(Channels);

    private Task<T> Answer<T>(T value) => Failure is { } e ? Task.FromException<T>(e) : Task.FromResult(value);
}
