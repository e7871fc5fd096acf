namespace IsmFabric.Emulation;

/// <summary>The life of an emulated function as the CEC sees it.</summary>
internal enum FunctionState
{
    Unused = 0,
    Ready = 1,
    InUse = 2,
    Error = 3,
    Unplugged = 4,
}
