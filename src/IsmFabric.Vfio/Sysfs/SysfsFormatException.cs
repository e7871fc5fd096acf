namespace IsmFabric.Vfio;

/// <summary>
/// A sysfs file is missing or does not hold what the kernel writes there. The message names the file and the
/// problem, e.g. "/sys/bus/pci/devices/0000:00:00.0/pchid: expected a hex number, found 'banana'".
/// </summary>
public sealed class SysfsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> and what is wrong with it.</summary>
    public SysfsFormatException(string filePath, string problem)
        : this(filePath, problem, $"{filePath}: {problem}")
    {
    }

    private SysfsFormatException(string filePath, string problem, string message)
        : base(message)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The sysfs path at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    /// <summary>The exception for a file that should exist but does not: "missing file /sys/…/vendor".</summary>
    public static SysfsFormatException MissingFile(string filePath) => new(filePath, "missing file", $"missing file {filePath}");
}
