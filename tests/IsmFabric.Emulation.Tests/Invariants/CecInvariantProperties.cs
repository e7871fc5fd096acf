using FsCheck.Xunit;

namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>
/// Random runs of commands, stores, faults, stops and deaths against a fresh emulated CEC, the invariants checked
/// after every step; and the shrunk runs that found bugs, kept as plain facts.
/// </summary>
public sealed class CecInvariantProperties
{
    [Property(MaxTest = 200, Arbitrary = [typeof(CecOperationArbitrary)])]
    public void Random_commands_moves_faults_and_process_deaths_leave_the_cec_consistent_after_every_step(CecOperation[] run) =>
        RunChecked(run);

    [Fact]
    public void A_function_put_into_error_state_keeps_the_hazard_of_its_process_store_in_flight_so_the_dmb_is_not_freed_under_it() =>
        RunChecked(
            new RegisterDmb(2, 32, 4096, 0, 0),
            new StopInMove(0, 0),
            new InjectFault(0, FaultKind.EnterError, 1),
            new UnregisterDmb(2, new TokenRef(TokenKind.Own, 0, 0)));

    [Fact]
    public void A_function_replugged_while_its_process_was_inside_a_store_loses_that_hazard_when_the_process_dies() =>
        RunChecked(
            new RegisterDmb(2, 32, 4096, 0, 0),
            new StopInMove(0, 0),
            new InjectFault(0, FaultKind.Unplug, 1),
            new InjectFault(0, FaultKind.Replug, 1),
            new UnregisterDmb(2, new TokenRef(TokenKind.Own, 0, 0)),
            new Kill(0));

    private static void RunChecked(params CecOperation[] run)
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
