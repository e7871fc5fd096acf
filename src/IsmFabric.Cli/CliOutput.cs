using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmFabric.Cli;

/// <summary>
/// How the command line prints: JSON for machines (snake_case, stable, 64-bit identifiers as hex strings), errors as
/// one line on stderr with a non-zero exit.
/// </summary>
internal static class CliOutput
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new HexIdentifierJsonConverter() },
    };

    internal static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Runs a command body; known failures become one line on stderr and exit code 1.</summary>
    internal static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Error(MessageOf(e));
            return 1;
        }
    }

    /// <summary>The async form of <see cref="Run(Func{int})"/>.</summary>
    internal static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Error(MessageOf(e));
            return 1;
        }
        catch (OperationCanceledException)
        {
            Error("cancelled");
            return 130;
        }
    }

    /// <summary>
    /// The sentence an operator reads for <paramref name="e"/>: argument errors lose .NET's "(Parameter 'x')" and
    /// "Actual value was" trailers, which name code, not what the operator typed.
    /// </summary>
    internal static string MessageOf(Exception e)
    {
        if (e is not ArgumentException { ParamName: { } parameter } argument)
        {
            return e.Message;
        }

        var text = argument.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
        var actual = text.IndexOf(Environment.NewLine + "Actual value was ", StringComparison.Ordinal);
        if (actual >= 0)
        {
            text = text[..actual];
        }

        return argument is ArgumentOutOfRangeException { ActualValue: { } value } ? $"{text} (got {value})" : text;
    }

    /// <summary>The exit code of a command line that does not parse, or of configuration a node cannot run with.</summary>
    internal const int UsageError = 2;

    /// <summary>Prints the one line of an error on stderr (a message that spans lines is joined into one).</summary>
    internal static void Error(string message) => Console.Error.WriteLine($"ismfabric: error: {message.Trim().ReplaceLineEndings(" ")}");

    internal static void Progress(string message) => Console.Error.WriteLine($"ismfabric: {message}");

    private static bool IsUserFacing(Exception e) =>
        e is IOException or ArgumentException or InvalidDataException or InvalidOperationException or FormatException
            or UnauthorizedAccessException or Ism.IsmException or TimeoutException;
}
