using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>
/// The buffers of failed registrations that the device may still hold: they stay mapped (unmapping memory the device
/// holds is what firmware punishes, spec §1) and are released only when the function is closed.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DmbQuarantine
{
    private readonly Lock _lock = new();
    private readonly List<(QuarantinedDmb Entry, DmaBuffer Buffer)> _held = [];

    /// <summary>What is held now (a copy).</summary>
    internal IReadOnlyList<QuarantinedDmb> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _held.Select(h => h.Entry)];
            }
        }
    }

    /// <summary>Keeps <paramref name="buffer"/> mapped for as long as the function lives.</summary>
    internal void Hold(QuarantinedDmb entry, DmaBuffer buffer)
    {
        lock (_lock)
        {
            _held.Add((entry, buffer));
        }
    }
}
