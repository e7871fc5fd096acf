namespace IsmFabric.Actors;

/// <summary>An actor behavior: handles <paramref name="message"/> and returns true, or returns false when it does not handle it.</summary>
/// <param name="message">The message.</param>
/// <returns>Whether the message was handled.</returns>
public delegate bool Receive(object message);
