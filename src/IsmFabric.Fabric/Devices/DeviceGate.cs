namespace IsmFabric.Fabric.Devices;

/// <summary>
/// The gate every data-plane use of a DMB passes (a move through its function, a read of its memory, a leased
/// message): users enter and leave; the device closes the gate and waits until the last user has left before it
/// unregisters and unmaps. Entering a closed gate fails, so no thread touches memory the device let go of.
/// Two interlocked operations per use; never blocks a user.
/// </summary>
internal sealed class DeviceGate
{
    private const int Closed = int.MinValue;
    private int _state;

    /// <summary>True once the gate is closed.</summary>
    public bool IsClosed => Volatile.Read(ref _state) < 0;

    /// <summary>True when the gate is closed and every user has left.</summary>
    public bool IsDrained => Volatile.Read(ref _state) == Closed;

    /// <summary>Enters; false when the gate is closed.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state < 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                return true;
            }
        }
    }

    /// <summary>Leaves (once per successful <see cref="TryEnter"/>).</summary>
    public void Exit() => Interlocked.Decrement(ref _state);

    /// <summary>Closes: from now on nobody enters; users inside finish and leave.</summary>
    public void Close()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state < 0 || Interlocked.CompareExchange(ref _state, state | Closed, state) == state)
            {
                return;
            }
        }
    }
}
