namespace IsmFabric.Fabric.Devices;

/// <summary>The function under a device actor failed (error state, unplugged, commands failing); the supervisor brings it up again.</summary>
public sealed class DeviceFailedException(string device, Exception inner)
    : Exception($"device {device} failed: {inner.Message}", inner);
