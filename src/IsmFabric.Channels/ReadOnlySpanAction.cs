namespace IsmFabric.Channels;

/// <summary>Receives one message; the span is valid only during the call.</summary>
public delegate void ReadOnlySpanAction(ReadOnlySpan<byte> message);
