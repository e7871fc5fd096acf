namespace IsmFabric.Persistence;

/// <summary>An event or snapshot in the store has a type name and version that no registration maps to a CLR type, or a CLR type was never registered.</summary>
public sealed class UnknownEventTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is unknown.</param>
    public UnknownEventTypeException(string message)
        : base(message)
    {
    }
}
