using System.Diagnostics;
using Xunit;

namespace IsmFabric.Actors.Tests;

public sealed class SigtermProcessSpec
{
    [Fact]
    public async Task A_real_SIGTERM_stops_the_actor_tree_children_before_parents_before_the_process_exits()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IsmFabric.Actors.SignalTarget.dll"));
        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(timeout.Token));
            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }

            var output = (await child.StandardOutput.ReadToEndAsync(timeout.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await child.WaitForExitAsync(timeout.Token);

            var stopped = output.Where(l => l.StartsWith("stopped ", StringComparison.Ordinal)).Select(l => l["stopped ".Length..]).ToList();
            Assert.True(stopped.Count == 7, $"expected 7 stops, got: {string.Join(" | ", output)} / {await stderr}");
            foreach (var path in stopped)
            {
                var parent = path[..path.LastIndexOf('/')];
                var parentIndex = stopped.IndexOf(parent);
                if (parentIndex >= 0)
                {
                    Assert.True(stopped.IndexOf(path) < parentIndex, $"{path} stopped after {parent}");
                }
            }

            Assert.EndsWith("/user/root", stopped[^1], StringComparison.Ordinal);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }
}
