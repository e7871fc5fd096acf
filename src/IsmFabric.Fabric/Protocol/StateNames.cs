namespace IsmFabric.Fabric.Protocol;

/// <summary>The names operators read for device and channel states (the same as in JSON).</summary>
public static class StateNames
{
    /// <summary>"starting", "up", "restarting" or "stopped".</summary>
    public static string Text(this DeviceState state) => state switch
    {
        DeviceState.Starting => "starting",
        DeviceState.Up => "up",
        DeviceState.Restarting => "restarting",
        _ => "stopped",
    };

    /// <summary>"opening", "open", "failing-over", "closing", "closed" or "ended".</summary>
    public static string Text(this ChannelState state) => state switch
    {
        ChannelState.Opening => "opening",
        ChannelState.Open => "open",
        ChannelState.FailingOver => "failing-over",
        ChannelState.Closing => "closing",
        ChannelState.Closed => "closed",
        _ => "ended",
    };
}
