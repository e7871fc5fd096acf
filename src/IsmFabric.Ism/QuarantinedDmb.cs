namespace IsmFabric.Ism;

/// <summary>
/// A DMB buffer the device may hold although its registration failed (REG_DMB answered something malformed, or its
/// answer could not be loaded): kept mapped, its SBA slot kept, never reused, until the function is closed.
/// </summary>
/// <param name="SbaIndex">The SBA slot the registration named; it stays taken.</param>
/// <param name="Iova">The buffer's device address.</param>
/// <param name="Length">The length REG_DMB asked for.</param>
/// <param name="RemoteGid">The GID the DMB was for.</param>
/// <param name="Reason">What was wrong with the answer.</param>
public sealed record QuarantinedDmb(int SbaIndex, ulong Iova, int Length, Gid RemoteGid, string Reason);
