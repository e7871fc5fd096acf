using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmFabric.Cli;

/// <summary>
/// Writes the 64-bit identifiers of our JSON output (GIDs, DMB tokens: every <see cref="ulong"/> we print) as
/// "0x" and 16 hex digits. As JSON numbers they would lose digits in jq and JavaScript, whose numbers are doubles
/// (1845600715923746089 reads as 1845600715923746000).
/// </summary>
internal sealed class HexIdentifierJsonConverter : JsonConverter<ulong>
{
    // The command line writes JSON for others to read; it reads none with these options.
    public override ulong Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("64-bit identifiers are only written");

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options) =>
        writer.WriteStringValue($"0x{value:x16}");
}
