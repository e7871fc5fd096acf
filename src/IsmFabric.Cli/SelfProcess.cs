using System.Diagnostics;

namespace IsmFabric.Cli;

/// <summary>Starts another ismfabric process (an LPAR of the emulated CEC), whether we run as the apphost or under dotnet.</summary>
internal static class SelfProcess
{
    internal static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }
}
