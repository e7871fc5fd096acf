namespace IsmFabric.Ism;

/// <summary>The hardware event codes (BUF and DEV) and the SMC-D software codes of spec §3.4.</summary>
public static class IsmEventCode
{
    /// <summary>DEV: the peer GID entered the error state.</summary>
    public const uint DevGidErrorState = 0x01;
    /// <summary>BUF: the function owning the DMB is in error state.</summary>
    public const uint BufOwningDeviceInErrorState = 0x02;
    /// <summary>BUF: the function using (writing) the DMB is in error state.</summary>
    public const uint BufUsingDeviceInErrorState = 0x03;
    /// <summary>BUF: the DMB was unregistered.</summary>
    public const uint BufDmbUnregistered = 0x04;
    /// <summary>BUF: VLAN mismatch with the owner.</summary>
    public const uint BufVlanMismatchWithOwner = 0x05;
    /// <summary>BUF: VLAN mismatch with the user.</summary>
    public const uint BufVlanMismatchWithUser = 0x06;
    /// <summary>DEV: the peer GID was disabled (gone).</summary>
    public const uint DevGidDisabled = 0x07;
    /// <summary>BUF: the function using the DMB was disabled.</summary>
    public const uint BufUsingDeviceDisabled = 0x08;

    /// <summary>SWR: the peer is shutting down its DMBs.</summary>
    public const uint Shutdown = 0x80;
    /// <summary>SWR: test link (keepalive); info carries request (1) or response (2).</summary>
    public const uint TestLink = 0x83;

    /// <summary>The name of a code for logs ("DEV_GID_DISABLED"), or its hex value.</summary>
    public static string Describe(IsmEventType type, uint code) => (type, code) switch
    {
        (IsmEventType.Device, DevGidErrorState) => "DEV_GID_ERR_STATE",
        (IsmEventType.Device, DevGidDisabled) => "DEV_GID_DISABLED",
        (IsmEventType.Buffer, BufOwningDeviceInErrorState) => "BUF_OWNING_ISM_DEV_IN_ERR_STATE",
        (IsmEventType.Buffer, BufUsingDeviceInErrorState) => "BUF_USING_ISM_DEV_IN_ERR_STATE",
        (IsmEventType.Buffer, BufDmbUnregistered) => "BUF_DMB_UNREGISTERED",
        (IsmEventType.Buffer, BufVlanMismatchWithOwner) => "BUF_VLAN_MISMATCH_WITH_OWNER",
        (IsmEventType.Buffer, BufVlanMismatchWithUser) => "BUF_VLAN_MISMATCH_WITH_USER",
        (IsmEventType.Buffer, BufUsingDeviceDisabled) => "BUF_USING_ISM_DEV_DISABLED",
        (IsmEventType.Software, Shutdown) => "SWR_SHUTDOWN",
        (IsmEventType.Software, TestLink) => "SWR_TESTLINK",
        _ => $"{type}/0x{code:x2}",
    };
}
