using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IsmFabric.Actors.TestKit;

/// <summary>
/// Base class for actor tests: a fresh actor system per test (disposed with the test), a default
/// <see cref="TestActor"/> that is the implicit sender of Tell on the test thread, the probe assertions, awaiting
/// helpers, and a virtual clock when <see cref="TestKitSettings.UseTestScheduler"/> is set. Disposing it fails the
/// test if any actor failed and the test did not declare that failure with <see cref="ExpectFailure{TException}"/>
/// or <see cref="AllowFailures{TException}"/>.
/// </summary>
public class TestKit : IDisposable
{
    private readonly TestScheduler? _scheduler;
    private readonly TestProbe _testProbe;
    private readonly IDisposable _failureSubscription;
    private readonly ConcurrentQueue<ActorFailure> _failures = new();
    private readonly List<ActorFailure> _expected = [];
    private readonly List<Type> _allowed = [];
    private readonly object _failureLock = new();
    private bool _disposed;

    /// <summary>Creates the per-test actor system.</summary>
    /// <param name="output">Where actor logs go; null for none.</param>
    /// <param name="settings">Test kit settings; null for the defaults.</param>
    public TestKit(ITestOutputHelper? output = null, TestKitSettings? settings = null)
    {
        Settings = settings ?? new TestKitSettings();
        _scheduler = Settings.UseTestScheduler ? new TestScheduler() : null;
        ILoggerFactory loggerFactory = output is null ? NullLoggerFactory.Instance : new TestOutputLoggerFactory(output, Settings.MinimumLogLevel);
        var systemSettings = new ActorSystemSettings
        {
            LoggerFactory = loggerFactory,
            Scheduler = _scheduler,
            ShutdownDeadline = Settings.ShutdownDeadline,
        };
        if (Settings.ConfigureSystem is { } configure)
        {
            systemSettings = configure(systemSettings);
        }

        Sys = ActorSystem.Create(Settings.SystemName, systemSettings);
        _failureSubscription = Sys.EventStream.Subscribe<ActorFailure>(f =>
        {
            lock (_failureLock)
            {
                _failures.Enqueue(f);
                Monitor.PulseAll(_failureLock);
            }
        });
        _testProbe = CreateTestProbe("testActor");
        ActorRefs.ImplicitSenderOutsideActors.Value = _testProbe.Ref;
    }

    /// <summary>The settings in use.</summary>
    public TestKitSettings Settings { get; }

    /// <summary>The per-test actor system.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The default probe's reference; the implicit sender of one-argument Tell from the test.</summary>
    public IActorRef TestActor => _testProbe.Ref;

    /// <summary>The default probe.</summary>
    public TestProbe Probe => _testProbe;

    /// <summary>The virtual clock (only with <see cref="TestKitSettings.UseTestScheduler"/>).</summary>
    public TestScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("This test kit runs on real time; set TestKitSettings.UseTestScheduler");

    /// <summary>Every actor failure seen so far.</summary>
    public IReadOnlyList<ActorFailure> Failures => [.. _failures];

    /// <summary>Failures not declared with <see cref="ExpectFailure{TException}"/> or <see cref="AllowFailures{TException}"/>.</summary>
    public IReadOnlyList<ActorFailure> UnexpectedFailures
    {
        get
        {
            lock (_failureLock)
            {
                return [.. _failures.Where(f => !_expected.Contains(f) && !_allowed.Any(t => t.IsInstanceOfType(f.Cause)))];
            }
        }
    }

    /// <summary>Creates a top-level actor in <see cref="Sys"/>.</summary>
    /// <param name="props">How to create it.</param>
    /// <param name="name">Its name, or null.</param>
    /// <returns>Its reference.</returns>
    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    /// <summary>Creates another probe.</summary>
    /// <param name="name">Its name, or null.</param>
    /// <returns>The probe.</returns>
    public TestProbe CreateTestProbe(string? name = null) =>
        new(Sys, name, Settings.DefaultTimeout, Settings.DefaultNoMessageDuration);

    /// <summary>Makes <see cref="TestActor"/> watch <paramref name="actor"/>.</summary>
    /// <param name="actor">The actor.</param>
    /// <returns><paramref name="actor"/>.</returns>
    public IActorRef Watch(IActorRef actor) => _testProbe.Watch(actor);

    /// <summary>Makes <see cref="TestActor"/> stop watching <paramref name="actor"/>.</summary>
    /// <param name="actor">The actor.</param>
    /// <returns><paramref name="actor"/>.</returns>
    public IActorRef Unwatch(IActorRef actor) => _testProbe.Unwatch(actor);

    /// <summary>See <see cref="TestProbe.ExpectMsg{T}(TimeSpan?)"/> (on <see cref="TestActor"/>).</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(TimeSpan? timeout = null) => _testProbe.ExpectMsg<T>(timeout);

    /// <summary>See <see cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/> (on <see cref="TestActor"/>).</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="expected">The expected message.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull => _testProbe.ExpectMsg(expected, timeout);

    /// <summary>See <see cref="TestProbe.ExpectMsg{T}(Func{T, bool}, TimeSpan?)"/> (on <see cref="TestActor"/>).</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="isMatch">The condition.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(Func<T, bool> isMatch, TimeSpan? timeout = null) => _testProbe.ExpectMsg(isMatch, timeout);

    /// <summary>See <see cref="TestProbe.ExpectNoMsg"/> (on <see cref="TestActor"/>).</summary>
    /// <param name="duration">How long to watch.</param>
    public void ExpectNoMsg(TimeSpan? duration = null) => _testProbe.ExpectNoMsg(duration);

    /// <summary>See <see cref="TestProbe.ExpectTerminated"/> (on <see cref="TestActor"/>).</summary>
    /// <param name="target">The actor expected to stop.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => _testProbe.ExpectTerminated(target, timeout);

    /// <summary>See <see cref="TestProbe.ReceiveN"/> (on <see cref="TestActor"/>).</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">The overall time allowed.</param>
    /// <returns>The messages.</returns>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => _testProbe.ReceiveN(count, timeout);

    /// <summary>Retries <paramref name="assertion"/> until it stops throwing, failing with its last exception after <paramref name="duration"/>.</summary>
    /// <param name="assertion">The assertion.</param>
    /// <param name="duration">How long to keep trying; default from the settings.</param>
    /// <param name="interval">Pause between tries; default 20 ms.</param>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var deadline = DateTime.UtcNow + (duration ?? Settings.DefaultTimeout);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(interval ?? TimeSpan.FromMilliseconds(20));
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true, failing the test after <paramref name="max"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="max">How long to wait; default from the settings.</param>
    /// <param name="message">What the failure says.</param>
    public void AwaitCondition(Func<bool> condition, TimeSpan? max = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var wait = max ?? Settings.DefaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new XunitException($"Condition not met within {wait}: {message ?? "(no description)"}");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Waits until an actor fails with a <typeparamref name="TException"/> that was not yet claimed, and marks that
    /// failure as expected (so disposing the test kit does not fail the test for it).
    /// </summary>
    /// <typeparam name="TException">The expected exception type (or a base of it).</typeparam>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The failure.</returns>
    public ActorFailure ExpectFailure<TException>(TimeSpan? timeout = null)
        where TException : Exception
    {
        var wait = timeout ?? Settings.DefaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        lock (_failureLock)
        {
            while (true)
            {
                var match = _failures.FirstOrDefault(f => f.Cause is TException && !_expected.Contains(f));
                if (match is not null)
                {
                    _expected.Add(match);
                    return match;
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new XunitException($"No actor failed with {typeof(TException).Name} within {wait}");
                }

                Monitor.Wait(_failureLock, left);
            }
        }
    }

    /// <summary>Declares that failures with <typeparamref name="TException"/> (any number, including none) are part of the test.</summary>
    /// <typeparam name="TException">The exception type (or a base of it).</typeparam>
    public void AllowFailures<TException>()
        where TException : Exception
    {
        lock (_failureLock)
        {
            _allowed.Add(typeof(TException));
        }
    }

    /// <summary>Terminates the system and fails the test if an actor failed unexpectedly.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system; when <paramref name="disposing"/>, fails the test if an actor failed unexpectedly.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!disposing)
        {
            return;
        }

        var unexpected = UnexpectedFailures;
        Sys.Terminate(Settings.ShutdownDeadline).GetAwaiter().GetResult();
        _failureSubscription.Dispose();
        if (ActorRefs.ImplicitSenderOutsideActors.Value == _testProbe.Ref)
        {
            ActorRefs.ImplicitSenderOutsideActors.Value = null;
        }

        if (unexpected.Count > 0)
        {
            throw new XunitException(
                $"{unexpected.Count} actor failure(s) the test did not expect (declare them with ExpectFailure/AllowFailures):{Environment.NewLine}" +
                string.Join(Environment.NewLine, unexpected.Select(f => $"  {f.Actor.Path}: {f.Cause.GetType().Name}: {f.Cause.Message} -> {f.Directive}")));
        }
    }
}
