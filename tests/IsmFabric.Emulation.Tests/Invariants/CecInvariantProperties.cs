using FsCheck.Xunit;

namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>Random runs of commands, stores, faults, stops and deaths against a fresh emulated CEC.</summary>
public sealed class CecInvariantProperties
{
    [Property(MaxTest = 150, EndSize = 30, Arbitrary = [typeof(CecOperationArbitrary)])]
    public void Random_commands_moves_faults_and_process_deaths_leave_the_cec_consistent_after_every_step(CecOperation[] run)
    {
        using var world = new CecWorld();
        for (var i = 0; i < run.Length; i++)
        {
            world.Log.Add($"{i + 1}. {run[i]}");
            world.Apply(run[i]);
            var problems = CecInvariants.Violations(world);
            if (problems.Count > 0)
            {
                Assert.Fail($"after step {i + 1} ({run[i]}):\n  {string.Join("\n  ", problems)}\nwhat happened:\n{string.Join('\n', world.Log)}");
            }
        }
    }
}
