namespace IsmFabric.Emulation;

/// <summary>Whether an LPAR has a process attached.</summary>
internal enum LparState
{
    Detached = 0,
    Attached = 1,
}
