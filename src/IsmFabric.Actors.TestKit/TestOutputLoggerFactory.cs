using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Actors.TestKit;

/// <summary>Writes log lines to an xunit test's output, so a failing test shows what the actors logged.</summary>
public sealed class TestOutputLoggerFactory : ILoggerFactory
{
    private readonly ITestOutputHelper _output;
    private readonly LogLevel _minimum;

    /// <summary>Creates the factory.</summary>
    /// <param name="output">The test's output.</param>
    /// <param name="minimum">The lowest level written.</param>
    public TestOutputLoggerFactory(ITestOutputHelper output, LogLevel minimum = LogLevel.Information)
    {
        _output = output;
        _minimum = minimum;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new OutputLogger(this, categoryName);

    /// <summary>Not supported: this factory has one sink.</summary>
    /// <param name="provider">Ignored.</param>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; xunit refuses late output.
        }
    }

    private sealed class OutputLogger(TestOutputLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {category}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            factory.Write(line);
        }
    }
}
