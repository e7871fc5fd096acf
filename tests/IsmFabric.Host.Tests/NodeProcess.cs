using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace IsmFabric.Host.Tests;

/// <summary>The real ismfabric command (the built ismfabric.dll under dotnet), one-shot or as a long-running node.</summary>
internal sealed partial class NodeProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "ismfabric.dll");

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? environment, string[] args)
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

        // Nothing from the developer's environment may reconfigure the nodes under test.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ISMFABRIC_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        return psi;
    }

    public static NodeProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var process = Process.Start(StartInfo(environment, args))!;
        process.StandardInput.Close();
        return new NodeProcess(process);
    }

    /// <summary>Runs a command to completion; returns exit code, stdout, stderr.</summary>
    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(environment, null, args);

    /// <summary>Runs a command to completion in <paramref name="workingDirectory"/>, where it puts whatever it creates by default.</summary>
    public static (int Exit, string Out, string Err) RunIn(string workingDirectory, params string[] args) => Run(null, workingDirectory, args);

    private static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string>? environment, string? workingDirectory, string[] args)
    {
        var psi = StartInfo(environment, args);
        psi.WorkingDirectory = workingDirectory ?? "";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ismfabric {string.Join(' ', args)} did not finish in a minute");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(null, args);

    public static JsonElement Json(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ismfabric {string.Join(' ', args)} exited {exit}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Sends SIGTERM, as systemd or <c>kill</c> would.</summary>
    public void Terminate()
    {
        if (Kill(Process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({Process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
        {
            throw new TimeoutException($"the node did not exit within {timeout}; its output:\n{Output}");
        }

        Process.WaitForExit(); // drains the redirected output
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
