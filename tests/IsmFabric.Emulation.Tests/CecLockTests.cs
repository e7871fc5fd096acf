namespace IsmFabric.Emulation.Tests;

/// <summary>The CEC lock keeps other processes out for as long as its outermost holder holds it.</summary>
public sealed class CecLockTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "ismfabric-ceclock-" + Guid.NewGuid().ToString("n")[..12]);

    [Fact]
    public void Leaving_a_nested_scope_keeps_the_lock_against_other_processes_until_the_outer_scope_ends()
    {
        using var cecLock = new CecLock(_path);

        // Another open file description of the lock file stands for another process (flock is per description).
        using var otherProcess = LockFile.OpenOrCreate(_path);
        using (cecLock.Enter())
        {
            using (cecLock.Enter())
            {
                // An IOMMU fault raised while a function is torn down enters again.
            }

            Assert.False(otherProcess.TryLockExclusive(), "an inner scope let another process in while the outer one still held the lock");
        }

        Assert.True(otherProcess.TryLockExclusive());
        otherProcess.Unlock();
    }

    public void Dispose() => File.Delete(_path);
}
