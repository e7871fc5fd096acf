namespace IsmFabric.Ism;

/// <summary>The device answered something malformed: a response length that is not a multiple of 8, an IEQ index out of range.</summary>
public sealed class IsmProtocolException(string message) : IsmException(message);
