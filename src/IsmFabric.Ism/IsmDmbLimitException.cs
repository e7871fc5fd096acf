namespace IsmFabric.Ism;

/// <summary>No SBA slot is left: a function holds at most 1888 DMBs (slots 32..1919). The ENOSPC of the kernel driver.</summary>
public sealed class IsmDmbLimitException(string message) : IsmException(message);
