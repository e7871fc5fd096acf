using System.Buffers;
using System.Text;
using System.Text.Json;
using IsmFabric.Fabric.Protocol;

namespace IsmFabric.Host.Control;

/// <summary>
/// The control socket's protocol: one JSON object per line each way. A request is <c>{"command":"status"}</c>
/// (or devices, peers, channels); the answer is <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error":"…"}</c>.
/// Property names are snake_case, as in every <c>--json</c> output of the command line.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The longest request line accepted, in bytes.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>The commands a node answers.</summary>
    public static IReadOnlyList<string> Commands { get; } = ["status", "devices", "peers", "channels"];

    /// <summary>How requests and results are (de)serialized.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    /// <summary>The request line for <paramref name="command"/> (without the newline).</summary>
    public static string Request(string command)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command", command);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Answers one request line against <paramref name="queries"/>. Never throws for a bad request or a failed
    /// query: both become an error answer. Only cancellation propagates.
    /// </summary>
    public static async Task<string> AnswerAsync(string line, IFabricNodeQueries queries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        string command;
        try
        {
            command = ParseCommand(line);
        }
        catch (FormatException e)
        {
            return Error(e.Message);
        }

        try
        {
            return command switch
            {
                "status" => Ok(await queries.GetStatusAsync(cancellationToken)),
                "devices" => Ok(await queries.GetDevicesAsync(cancellationToken)),
                "peers" => Ok(await queries.GetPeersAsync(cancellationToken)),
                "channels" => Ok(await queries.GetChannelsAsync(cancellationToken)),
                _ => Error($"unknown command '{command}'; accepted: {string.Join(", ", Commands)}"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A query the node could not answer (stopping, an ask timed out) is the client's error, not ours to die of.
            return Error($"{command} failed: {e.Message}");
        }
    }

    /// <summary>An error answer carrying <paramref name="message"/>.</summary>
    public static string Error(string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", false);
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Ok<T>(T result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            writer.WritePropertyName("result");
            JsonSerializer.Serialize(writer, result, Json);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ParseCommand(string line)
    {
        const string Example = "send one JSON object per line, such as {\"command\":\"status\"}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new FormatException($"malformed request ({e.Message}); {Example}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"malformed request: a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; {Example}");
            }

            if (!document.RootElement.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"malformed request: no string \"command\"; {Example}");
            }

            return command.GetString()!;
        }
    }
}
