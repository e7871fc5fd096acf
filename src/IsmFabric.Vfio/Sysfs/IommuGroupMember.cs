namespace IsmFabric.Vfio;

/// <summary>A device in an IOMMU group and the driver it is bound to.</summary>
/// <param name="Device">The device name in the group's <c>devices/</c> directory (a PCI address for PCI devices).</param>
/// <param name="Driver">The bound driver, or null when the device has none.</param>
public sealed record IommuGroupMember(string Device, string? Driver);
