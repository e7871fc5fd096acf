using Microsoft.Extensions.Logging;

namespace IsmFabric.Ism.Tests;

/// <summary>A logger that keeps every message (with its exception's message) for the test to look at.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<string> _messages = [];

    /// <summary>What was logged so far, "Level: message (exception)".</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}";
        lock (_messages)
        {
            _messages.Add(line);
        }
    }
}
