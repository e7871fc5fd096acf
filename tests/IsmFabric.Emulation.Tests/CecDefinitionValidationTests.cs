using System.Text.Json;
using System.Text.Json.Nodes;

namespace IsmFabric.Emulation.Tests;

/// <summary>
/// A CEC definition the emulator cannot hold is refused on every path that creates or opens a CEC, with a message
/// naming the field (as spelled in cec.json) and the accepted values.
/// </summary>
public sealed class CecDefinitionValidationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-def-" + Guid.NewGuid().ToString("n")[..12]);

    /// <summary>Two LPARs with two functions each, every value fixed so that messages can be spelled out.</summary>
    private static readonly CecDefinition Valid = new(
        "t",
        [new LparDefinition("lpar1", 16L << 20), new LparDefinition("lpar2", 16L << 20)],
        [
            new FunctionDefinition(0x10, "lpar1", 0x0100, 0x1000_0000_0000_0001, "NETA", 1),
            new FunctionDefinition(0x11, "lpar1", 0x0200, 0x1000_0000_0000_0002, "NETB", 2),
            new FunctionDefinition(0x12, "lpar2", 0x0100, 0x1000_0000_0000_0003, "NETA", 1),
            new FunctionDefinition(0x13, "lpar2", 0x0200, 0x1000_0000_0000_0004, "NETB", 2),
        ]);

    private static CecDefinition WithLpar(int index, LparDefinition lpar) =>
        Valid with { Lpars = Valid.Lpars.Select((l, i) => i == index ? lpar : l).ToList() };

    private static CecDefinition WithFunction(int index, Func<FunctionDefinition, FunctionDefinition> change) =>
        Valid with { Functions = Valid.Functions.Select((f, i) => i == index ? change(f) : f).ToList() };

    private static readonly Dictionary<string, Func<CecDefinition>> Cases = new()
    {
        ["empty name"] = () => Valid with { Name = "" },
        ["no LPARs"] = () => Valid with { Lpars = [], Functions = [] },
        ["65 LPARs"] = () => Valid with { Lpars = Enumerable.Range(1, 65).Select(i => new LparDefinition($"lpar{i}", 16L << 20)).ToList() },
        ["LPAR name with a slash"] = () => WithLpar(1, new LparDefinition("../x", 16L << 20)),
        ["LPAR name of 33 characters"] = () => WithLpar(1, new LparDefinition(new string('l', 33), 16L << 20)),
        ["two LPARs of one name"] = () => WithLpar(1, new LparDefinition("lpar1", 16L << 20)),
        ["LPAR memory not a multiple of 1 MiB"] = () => WithLpar(0, new LparDefinition("lpar1", (16L << 20) + 1)),
        ["LPAR memory below 4 MiB"] = () => WithLpar(0, new LparDefinition("lpar1", 3L << 20)),
        ["no functions"] = () => Valid with { Functions = [] },
        ["257 functions"] = () => Valid with
        {
            Functions = Enumerable.Range(0, 257).Select(i => new FunctionDefinition((uint)(0x100 + i), "lpar1", 0x0100, 0x2000_0000_0000_0000UL + (ulong)i, "NETA", 1)).ToList(),
        },
        ["a function on an unknown LPAR"] = () => WithFunction(3, f => f with { Lpar = "lpar9" }),
        ["two functions of one FID"] = () => WithFunction(2, f => f with { Fid = 0x10 }),
        ["GID zero"] = () => WithFunction(1, f => f with { Gid = 0 }),
        ["two functions of one GID"] = () => WithFunction(3, f => f with { Gid = 0x1000_0000_0000_0002 }),
        ["virtio-ism CHID"] = () => WithFunction(1, f => f with { Chid = 0xFF00 }),
        ["loopback CHID"] = () => WithFunction(1, f => f with { Chid = 0xFFFF }),
        ["lower-case PNETID"] = () => WithFunction(0, f => f with { Pnetid = "neta" }),
        ["PNETID of 17 characters"] = () => WithFunction(0, f => f with { Pnetid = "ABCDEFGHIJKLMNOPQ" }),
        ["PNETID with a dash"] = () => WithFunction(0, f => f with { Pnetid = "NET-A" }),
        ["empty PNETID"] = () => WithFunction(0, f => f with { Pnetid = "" }),
    };

    public static TheoryData<string, string> Rejections() => new()
    {
        { "empty name", "name: '' is not accepted; accepted: 1..64 printable characters" },
        { "no LPARs", "lpars: 0 LPARs; accepted: 1..64" },
        { "65 LPARs", "lpars: 65 LPARs; accepted: 1..64" },
        { "LPAR name with a slash", "lpars[1].name: '../x' is not accepted; accepted: 1..32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit" },
        { "LPAR name of 33 characters", $"lpars[1].name: '{new string('l', 33)}' is not accepted; accepted: 1..32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit" },
        { "two LPARs of one name", "lpars[1].name: 'lpar1' is also the name of lpars[0]; accepted: a name no other LPAR has" },
        { "LPAR memory not a multiple of 1 MiB", "lpars[0].memory_bytes: 16777217 is not accepted; accepted: a multiple of 1 MiB (1048576) from 4 MiB to 4096 MiB" },
        { "LPAR memory below 4 MiB", "lpars[0].memory_bytes: 3145728 is not accepted; accepted: a multiple of 1 MiB (1048576) from 4 MiB to 4096 MiB" },
        { "no functions", "functions: 0 functions; accepted: 1..256 in all" },
        { "257 functions", "functions: 257 functions; accepted: 1..256 in all" },
        { "a function on an unknown LPAR", "functions[3].lpar: 'lpar9' is not an LPAR of this CEC; accepted: lpar1, lpar2" },
        { "two functions of one FID", "functions[2].fid: 0x10 is also the FID of functions[0]; accepted: a FID no other function has" },
        { "GID zero", "functions[1].gid: 0 is not a GID; accepted: a non-zero 64-bit number" },
        { "two functions of one GID", "functions[3].gid: 0x1000000000000002 is also the GID of functions[1]; accepted: a GID no other function has" },
        { "virtio-ism CHID", "functions[1].chid: 0xff00 is reserved; accepted: 0x0000..0xfeff (0xff00..0xfffe are reserved for virtio-ism, 0xffff for loopback)" },
        { "loopback CHID", "functions[1].chid: 0xffff is reserved; accepted: 0x0000..0xfeff (0xff00..0xfffe are reserved for virtio-ism, 0xffff for loopback)" },
        { "lower-case PNETID", "functions[0].pnetid: 'neta' is not accepted; accepted: 1..16 upper-case letters A-Z or digits 0-9" },
        { "PNETID of 17 characters", "functions[0].pnetid: 'ABCDEFGHIJKLMNOPQ' is not accepted; accepted: 1..16 upper-case letters A-Z or digits 0-9" },
        { "PNETID with a dash", "functions[0].pnetid: 'NET-A' is not accepted; accepted: 1..16 upper-case letters A-Z or digits 0-9" },
        { "empty PNETID", "functions[0].pnetid: '' is not accepted; accepted: 1..16 upper-case letters A-Z or digits 0-9" },
    };

    private string DefinitionFile => Path.Combine(_dir, "cec.json");

    /// <summary>A valid CEC whose cec.json is then replaced by <paramref name="json"/>, as a hand edit would.</summary>
    private void CreateThenRewrite(string json)
    {
        EmulatedCec.Create(_dir, Valid).Dispose();
        File.WriteAllText(DefinitionFile, json);
    }

    private void AssertOpenAndAttachRefuse(string problem)
    {
        var expected = $"{DefinitionFile}: not a valid CEC definition ({problem})";
        Assert.Equal(expected, Assert.Throws<InvalidDataException>(() => EmulatedCec.Open(_dir)).Message);
        Assert.Equal(expected, Assert.Throws<InvalidDataException>(() => EmulatedLpar.Attach(_dir, "lpar1")).Message);
    }

    [Fact]
    public void The_valid_definition_of_these_tests_is_created_opened_and_attached()
    {
        using (var cec = EmulatedCec.Create(_dir, Valid))
        {
            Assert.Equal(Valid.Functions, cec.Definition.Functions);
        }

        using var lpar = EmulatedLpar.Attach(_dir, "lpar2");
        Assert.Equal(2, lpar.Functions.Count);
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void A_definition_the_emulator_cannot_hold_is_refused_at_create_before_anything_is_written(string @case, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => EmulatedCec.Create(_dir, Cases[@case]()));

        Assert.Equal($"invalid CEC definition: {problem} (Parameter 'definition')", e.Message);
        Assert.False(Directory.Exists(_dir), $"{_dir} was created for a definition that was refused");
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void A_cec_json_the_emulator_cannot_hold_is_refused_by_open_and_attach_naming_the_file_and_field(string @case, string problem)
    {
        CreateThenRewrite(JsonSerializer.Serialize(Cases[@case]()));

        AssertOpenAndAttachRefuse(problem);
    }

    [Theory]
    [InlineData("name", "name: missing is not accepted; accepted: 1..64 printable characters")]
    [InlineData("lpars", "lpars: missing; accepted: 1..64 LPARs")]
    [InlineData("functions", "functions: missing; accepted: 1..256 functions")]
    public void A_cec_json_missing_a_field_is_refused_naming_it(string field, string problem)
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Valid))!.AsObject();
        json.Remove(field);

        CreateThenRewrite(json.ToJsonString());

        AssertOpenAndAttachRefuse(problem);
    }

    [Theory]
    [InlineData("lpars", "lpars[1]: missing; accepted: an LPAR with a name and memory_bytes")]
    [InlineData("functions", "functions[1]: missing; accepted: a function with fid, lpar, chid, gid, pnetid and vfn")]
    public void A_cec_json_with_a_null_entry_is_refused_naming_it(string array, string problem)
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Valid))!.AsObject();
        json[array]!.AsArray()[1] = null;

        CreateThenRewrite(json.ToJsonString());

        AssertOpenAndAttachRefuse(problem);
    }

    [Fact]
    public void A_cec_json_of_another_format_version_is_reported_as_such_not_as_a_bad_field()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Valid with { Name = "" }))!.AsObject();
        json["format_version"] = 99;

        CreateThenRewrite(json.ToJsonString());

        var e = Assert.Throws<InvalidDataException>(() => EmulatedCec.Open(_dir));
        Assert.Equal($"{DefinitionFile}: format version 99, this build reads {CecDefinition.FormatVersion}", e.Message);
    }

    [Fact]
    public void Build_refuses_a_function_count_whose_product_wraps_around()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            CecDefinition.Build("t", 2, int.MaxValue, [0x100], null, 16L << 20));

        Assert.Equal("functionsPerLpar", e.ParamName);
        Assert.Contains("LPARs × functions at most 256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_stores_PNETIDs_upper_case_and_refuses_what_SMC_would()
    {
        var built = CecDefinition.Build("t", 1, 2, [0x100, 0x200], ["neta", "Net2"], 16L << 20);
        Assert.Equal(["NETA", "NET2"], built.Functions.Select(f => f.Pnetid));

        var e = Assert.Throws<ArgumentException>(() => CecDefinition.Build("t", 1, 1, [0x100], ["NET_A"], 16L << 20));
        Assert.Equal("PNETID 'NET_A' is not accepted; accepted: 1..16 ASCII letters or digits (Parameter 'pnetids')", e.Message);
    }

    [Fact]
    public void Build_refuses_a_name_the_definition_cannot_have()
    {
        var e = Assert.Throws<ArgumentException>(() => CecDefinition.Build(" ", 1, 1, [0x100], null, 16L << 20));

        Assert.Equal("invalid CEC definition: name: ' ' is not accepted; accepted: 1..64 printable characters", e.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
