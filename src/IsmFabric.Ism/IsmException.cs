namespace IsmFabric.Ism;

/// <summary>Base of every error the ISM driver raises; catch it to handle any failure of a function.</summary>
public class IsmException : Exception
{
    /// <summary>Creates the exception with a message saying what failed.</summary>
    public IsmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the lower-level cause.</summary>
    public IsmException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
