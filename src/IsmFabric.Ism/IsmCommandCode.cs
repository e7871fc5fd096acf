namespace IsmFabric.Ism;

/// <summary>The ISM command codes of spec §2.3.</summary>
public enum IsmCommandCode : uint
{
    /// <summary>Register the status block area.</summary>
    RegSba = 0x01,
    /// <summary>Register the interrupt event queue.</summary>
    RegIeq = 0x02,
    /// <summary>Read the local GID.</summary>
    ReadGid = 0x03,
    /// <summary>Join a VLAN.</summary>
    AddVlanId = 0x04,
    /// <summary>Leave a VLAN.</summary>
    DelVlanId = 0x05,
    /// <summary>Turn "VLAN required" on.</summary>
    SetVlan = 0x06,
    /// <summary>Turn "VLAN required" off.</summary>
    ResetVlan = 0x07,
    /// <summary>Query device information (200-byte response).</summary>
    QueryInfo = 0x08,
    /// <summary>Ask whether a remote GID is reachable.</summary>
    QueryRgid = 0x09,
    /// <summary>Register a DMB.</summary>
    RegDmb = 0x0A,
    /// <summary>Unregister a DMB.</summary>
    UnregDmb = 0x0B,
    /// <summary>Post a software event into a peer's IEQ.</summary>
    SignalIeq = 0x0E,
    /// <summary>Unregister the SBA.</summary>
    UnregSba = 0x11,
    /// <summary>Unregister the IEQ.</summary>
    UnregIeq = 0x12,
}
