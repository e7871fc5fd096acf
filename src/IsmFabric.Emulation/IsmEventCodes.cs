namespace IsmFabric.Emulation;

/// <summary>The device-side constants of spec §3.3–3.4 the emulator writes: SBA and IEQ geometry, event types and codes.</summary>
internal static class IsmEventCodes
{
    internal const int SbaSize = 4096;
    internal const int SbaMaskOffset = 256;
    internal const int IeqHeaderSize = 32;
    internal const int IeqEntrySize = 32;

    internal const uint TypeBuffer = 0;   // ISM_EVENT_BUF: tok = DMB token
    internal const uint TypeDevice = 1;   // ISM_EVENT_DEV: tok = peer GID
    internal const uint TypeSoftware = 2; // ISM_EVENT_SWR: tok = signalling GID

    internal const uint DevGidErrorState = 0x01;
    internal const uint BufOwningDeviceInErrorState = 0x02;
    internal const uint BufUsingDeviceInErrorState = 0x03;
    internal const uint BufDmbUnregistered = 0x04;
    internal const uint DevGidDisabled = 0x07;
    internal const uint BufUsingDeviceDisabled = 0x08;
}
