namespace IsmFabric.Vfio.Tests;

/// <summary>What one compiler's headers said about the ABI table.</summary>
internal sealed record AbiCheckResult(
    string Compiler,
    int Checked,
    IReadOnlyList<string> Mismatches,
    IReadOnlyList<string> Unchecked,
    IReadOnlyList<string> OlderHeader);
