using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IsmFabric.Vfio.Tests;

/// <summary>
/// Compiles every <see cref="AbiFact"/> into a constant in a C file against the kernel UAPI headers and reads the
/// values back from the generated assembly (gcc -S). Nothing has to run, so the s390x cross compiler works too.
/// </summary>
internal static partial class HeaderAbiChecker
{
    /// <summary>The compiler's path on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The C translation unit: the preamble, then one guarded constant per fact.</summary>
    public static string GenerateSource(IReadOnlyList<AbiFact> facts)
    {
        var source = new StringBuilder(VfioAbi.CPreamble).AppendLine();
        for (var i = 0; i < facts.Count; i++)
        {
            source.AppendLine(CultureInfo.InvariantCulture, $"#if {facts[i].Guard}")
                .AppendLine(CultureInfo.InvariantCulture, $"/* {facts[i].CExpression} == {facts[i].Value} */")
                .AppendLine(CultureInfo.InvariantCulture, $"const unsigned long long ismfabric_fact_{i} __attribute__((used)) = (unsigned long long)({facts[i].CExpression});")
                .AppendLine("#else")
                .AppendLine(CultureInfo.InvariantCulture, $"const unsigned long long ismfabric_unchecked_{i} __attribute__((used)) = 1;")
                .AppendLine("#endif");
        }

        return source.ToString();
    }

    /// <summary>Compiles and compares; a compile error is returned as an exception with the compiler's output.</summary>
    public static AbiCheckResult Check(string compiler, IReadOnlyList<AbiFact> facts)
    {
        var directory = Directory.CreateTempSubdirectory("ismfabric-abi-");
        try
        {
            var source = Path.Combine(directory.FullName, "abi.c");
            var assembly = Path.Combine(directory.FullName, "abi.s");
            File.WriteAllText(source, GenerateSource(facts));
            var (exit, output) = Run(compiler, "-std=gnu11", "-O0", "-S", "-o", assembly, source);
            if (exit != 0)
            {
                throw new InvalidOperationException($"{compiler} failed ({exit}) on the generated header check {source}:\n{output}");
            }

            // gcc emits ".quad N", or ".zero 8" for a zero value.
            var text = File.ReadAllText(assembly);
            var values = new Dictionary<int, long>();
            var guardedOff = new HashSet<int>();
            foreach (Match m in FactValue().Matches(text))
            {
                var index = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                if (m.Groups[1].Value == "unchecked")
                {
                    guardedOff.Add(index);
                }
                else
                {
                    values[index] = m.Groups[3].Success ? long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
                }
            }

            var mismatches = new List<string>();
            var unchecked_ = new List<string>();
            var older = new List<string>();
            var checkedCount = 0;
            for (var i = 0; i < facts.Count; i++)
            {
                var fact = facts[i];
                if (guardedOff.Contains(i))
                {
                    unchecked_.Add($"{fact.CExpression} = {fact.Value}: {fact.GuardReason ?? $"guard {fact.Guard} is false"}");
                    continue;
                }

                if (!values.TryGetValue(i, out var header))
                {
                    mismatches.Add($"{fact.CExpression}: no value found in the compiler's assembly output (harness or compiler changed?)");
                    continue;
                }

                checkedCount++;
                if (header == fact.Value)
                {
                    continue;
                }

                if (fact.OlderHeaderValue == header)
                {
                    older.Add($"{fact.CExpression}: the header gives {header}, an older layout; this code uses {fact.Value} (the common prefix is checked field by field)");
                    continue;
                }

                mismatches.Add($"{fact.CExpression}: the C# code uses {fact.Value} (0x{fact.Value:x}), the headers say {header} (0x{header:x})");
            }

            return new AbiCheckResult(compiler, checkedCount, mismatches, unchecked_, older);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static (int Exit, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"^ismfabric_(fact|unchecked)_(\d+):\s*\r?\n\s*(?:\.quad\s+(-?\d+)|\.zero\s+8)", RegexOptions.Multiline)]
    private static partial Regex FactValue();
}
