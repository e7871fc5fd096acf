namespace IsmFabric.Emulation;

/// <summary>The life of a DMB table entry.</summary>
internal enum DmbState
{
    Free = 0,
    Registered = 1,
    Unregistering = 2,
}
