namespace IsmFabric.Vfio;

/// <summary>
/// One number this code depends on that a C header also defines: an ioctl request, a flag, a struct size or a field
/// offset. The ABI test compiles <see cref="CExpression"/> against the kernel UAPI headers and compares.
/// </summary>
/// <param name="CExpression">A C constant expression, e.g. "offsetof(struct vfio_region_info, offset)".</param>
/// <param name="Value">What this code uses.</param>
/// <param name="Guard">A preprocessor condition under which the header defines the expression; "1" when it always does.</param>
/// <param name="GuardReason">Why the fact cannot be checked when the guard is false.</param>
/// <param name="OlderHeaderValue">
/// The value older headers legitimately give (a struct that grew at its end); such a header confirms the common
/// prefix only, and the test reports it.
/// </param>
internal sealed record AbiFact(string CExpression, long Value, string Guard = "1", string? GuardReason = null, long? OlderHeaderValue = null);
