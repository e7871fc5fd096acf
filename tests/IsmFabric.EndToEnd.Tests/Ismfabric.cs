using System.Diagnostics;
using System.Text.Json;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>Runs the real ismfabric command (the built ismfabric.dll under dotnet) as its own process.</summary>
public static class Ismfabric
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "ismfabric.dll");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Runs a command to completion; returns exit code, stdout, stderr.</summary>
    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs a command to completion with extra environment variables; returns exit code, stdout, stderr.</summary>
    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = StartInfo(args);
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ismfabric {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static JsonElement Json(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ismfabric {string.Join(' ', args)} exited {exit}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }
}
