namespace IsmFabric.EndToEnd.Tests;

/// <summary>The README's first command: <c>ismfabric up</c>.</summary>
public sealed class UpTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ismfabric-up-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public void Up_starts_three_lpar_processes_whose_functions_all_answer_each_other_and_removes_everything_afterwards()
    {
        var status = Ismfabric.Json("up", "--data-dir", _dataDir, "--duration", "6", "--json");

        Assert.Equal(["lpar1", "lpar2", "lpar3"], status.EnumerateArray().Select(l => l.GetProperty("lpar").GetString()!).Order());
        var functions = status.EnumerateArray().SelectMany(l => l.GetProperty("functions").EnumerateArray()).ToList();
        Assert.Equal(6, functions.Count);
        Assert.All(functions, f => Assert.True(f.GetProperty("up").GetBoolean(), f.ToString()));
        Assert.Equal(2, functions.Select(f => f.GetProperty("chid").GetInt32()).Distinct().Count());
        var links = functions.SelectMany(f => f.GetProperty("peers").EnumerateArray()).ToList();
        Assert.Equal(12, links.Count); // each function sees the two other LPARs' functions on its CHID
        Assert.All(links, p => Assert.True(p.GetProperty("answered").GetInt64() > 0, p.ToString()));
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "cec")), "up must remove the emulated CEC when it stops");
    }

    [Fact]
    public void Up_refuses_bad_lpar_counts_with_a_clear_error()
    {
        var (exit, _, stderr) = Ismfabric.Run("up", "--data-dir", _dataDir, "--lpars", "1", "--duration", "1");
        Assert.NotEqual(0, exit);
        Assert.Contains("--lpars must be 2..16", stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, true);
        }
        catch (IOException)
        {
            // already gone, or still held open by a process that is exiting
        }
    }
}
