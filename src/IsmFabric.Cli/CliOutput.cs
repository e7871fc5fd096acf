using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmFabric.Cli;

/// <summary>How the command line prints: JSON for machines (snake_case, stable), errors to stderr with a non-zero exit.</summary>
internal static class CliOutput
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
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

    private static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;

    internal static void Error(string message) => Console.Error.WriteLine($"ismfabric: error: {message}");

    internal static void Progress(string message) => Console.Error.WriteLine($"ismfabric: {message}");

    private static bool IsUserFacing(Exception e) =>
        e is IOException or ArgumentException or InvalidDataException or InvalidOperationException or FormatException
            or UnauthorizedAccessException or Ism.IsmException or TimeoutException;
}
