namespace IsmFabric.Vfio;

/// <summary>
/// A VFIO answer is malformed: a capability chain that loops or runs past its buffer, a capability too short for
/// its version, an IOVA range list that does not fit. Reported as EPROTO; the message names the capability.
/// </summary>
public sealed class VfioFormatException : VfioException
{
    /// <summary>Creates the exception for <paramref name="what"/> (a capability or answer name) and the problem found.</summary>
    public VfioFormatException(string what, string problem)
        : base(Vfio.Errno.EPROTO, $"decode {what}", problem)
    {
        What = what;
        Problem = problem;
    }

    /// <summary>The capability or answer that could not be decoded.</summary>
    public string What { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
