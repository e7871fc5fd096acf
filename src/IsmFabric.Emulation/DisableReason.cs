namespace IsmFabric.Emulation;

/// <summary>Why firmware takes a function out of use; decides which events its peers get.</summary>
internal enum DisableReason
{
    /// <summary>The LPAR released the function (closed it, detached, or its process died).</summary>
    Released,

    /// <summary>The function entered the error state.</summary>
    Error,

    /// <summary>The function was unplugged.</summary>
    Unplugged,

    /// <summary>The LPAR reset the function (VFIO_DEVICE_RESET): registrations go, the LPAR keeps the function.</summary>
    Reset,
}
