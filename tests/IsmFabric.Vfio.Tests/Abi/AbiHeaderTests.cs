using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Vfio.Tests;

/// <summary>
/// The ABI proof: every ioctl number, flag, struct size and field offset the kernel path uses, compiled against the
/// kernel UAPI headers of the host (x86_64) and, when installed, of s390x.
/// </summary>
public sealed class AbiHeaderTests(ITestOutputHelper output)
{
    private const string HostCompiler = "gcc";
    private const string S390xCompiler = "s390x-linux-gnu-gcc";

    /// <summary>Set to 1 (CI does) to make a missing s390x cross compiler a failure instead of an absent case.</summary>
    private const string RequireCrossVariable = "ISMFABRIC_REQUIRE_S390X_ABI";

    /// <summary>gcc always; s390x-linux-gnu-gcc when installed or required.</summary>
    public static TheoryData<string> Compilers()
    {
        var data = new TheoryData<string> { HostCompiler };
        if (HeaderAbiChecker.FindOnPath(S390xCompiler) is not null || Environment.GetEnvironmentVariable(RequireCrossVariable) == "1")
        {
            data.Add(S390xCompiler);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Compilers))]
    public void Every_ioctl_number_flag_struct_size_and_field_offset_matches_the_kernel_headers(string compilerName)
    {
        var compiler = HeaderAbiChecker.FindOnPath(compilerName)
            ?? throw new InvalidOperationException(
                $"{compilerName} is not on PATH. The ABI proof needs it: apt-get install gcc linux-libc-dev"
                + (compilerName == S390xCompiler ? " gcc-s390x-linux-gnu linux-libc-dev-s390x-cross" : string.Empty));

        var result = HeaderAbiChecker.Check(compiler, VfioAbi.Facts);

        output.WriteLine($"{compilerName}: {result.Checked} of {VfioAbi.Facts.Count} facts checked against the headers.");
        foreach (var line in result.OlderHeader)
        {
            output.WriteLine($"older header layout: {line}");
        }

        foreach (var line in result.Unchecked)
        {
            output.WriteLine($"not checkable with these headers: {line}");
        }

        Assert.True(result.Mismatches.Count == 0, $"{compilerName}: the C# ABI differs from the headers:\n{string.Join('\n', result.Mismatches)}");

        // Facts without a guard are in every header this code supports; none may go unchecked.
        Assert.DoesNotContain(result.Unchecked, line => VfioAbi.Facts.Any(f => f.Guard == "1" && line.StartsWith(f.CExpression + " =", StringComparison.Ordinal)));
        Assert.Equal(VfioAbi.Facts.Count, result.Checked + result.Unchecked.Count);
    }

    [Fact]
    public void A_wrong_constant_in_the_table_makes_the_header_check_fail_and_names_it()
    {
        var compiler = HeaderAbiChecker.FindOnPath(HostCompiler)
            ?? throw new InvalidOperationException("gcc is not on PATH. The ABI proof needs it: apt-get install gcc linux-libc-dev");
        var facts = VfioAbi.Facts.ToList();
        var setIrqs = facts.FindIndex(f => f.CExpression == "VFIO_DEVICE_SET_IRQS");
        var regionOffset = facts.FindIndex(f => f.CExpression == "offsetof(struct vfio_region_info, offset)");
        facts[setIrqs] = facts[setIrqs] with { Value = facts[setIrqs].Value + 1 };
        facts[regionOffset] = facts[regionOffset] with { Value = 16 };

        var result = HeaderAbiChecker.Check(compiler, facts);

        Assert.Equal(2, result.Mismatches.Count);
        Assert.Contains(result.Mismatches, m => m.StartsWith("VFIO_DEVICE_SET_IRQS: the C# code uses 15215", StringComparison.Ordinal));
        Assert.Contains(result.Mismatches, m => m.StartsWith("offsetof(struct vfio_region_info, offset): the C# code uses 16", StringComparison.Ordinal));
    }

    [Fact]
    public void The_table_covers_every_ioctl_and_every_interop_struct_the_code_uses()
    {
        var expressions = VfioAbi.Facts.Select(f => f.CExpression).ToHashSet();
        foreach (var ioctl in typeof(Interop.VfioIoctl).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
                     .Concat(typeof(Interop.IommufdIoctl).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic))
                     .Where(f => f.IsLiteral && f.Name != "Base"))
        {
            Assert.Contains(ioctl.Name, expressions);
        }

        var structs = typeof(Interop).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .Where(t => t.IsValueType && t.Name.Contains('_', StringComparison.Ordinal) && t.Name != "vfio_irq_set_eventfd");
        foreach (var type in structs)
        {
            Assert.Contains($"sizeof(struct {type.Name})", expressions);
        }
    }
}
