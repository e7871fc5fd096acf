using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using IsmFabric.Fabric.Persistence;
using LinqToDB;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Hosting;

/// <summary>
/// The one Akka.Hosting setup of a fabric node, used by <c>ismfabric node run</c>, by <see cref="FabricNode.StartAsync"/>
/// (tests, benchmarks, agents) and so by <c>ismfabric up</c>: Akka's logs into the host's <see cref="ILoggerFactory"/>,
/// the journal on Akka.Persistence.Sql with our serializer, the node's actors, and the ordered stop as
/// <see cref="CoordinatedShutdown"/> tasks.
/// </summary>
public static class FabricNodeHosting
{
    /// <summary>The plugin id of the node's journal and snapshot store.</summary>
    internal const string PluginId = "fabric";

    /// <summary>Adds a fabric node on <paramref name="devices"/> to the actor system being configured.</summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="settings">The node's settings (validated here).</param>
    /// <param name="devices">Where the node's ISM functions come from.</param>
    /// <param name="journal">Where the node journals, or null for no journal (tests).</param>
    /// <param name="loggers">Where every log line goes, Akka's own included.</param>
    /// <returns>The builder.</returns>
    public static AkkaConfigurationBuilder WithIsmFabricNode(
        this AkkaConfigurationBuilder builder, FabricNodeSettings settings, IDeviceProvider devices, FabricJournalOptions? journal, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(loggers);
        settings.Validate();

        builder.ConfigureLoggers(l =>
        {
            l.ClearLoggers();
            l.AddLoggerFactory(loggers);
            l.LogLevel = Akka.Event.LogLevel.InfoLevel;
            l.LogConfigOnStart = false;

            // Our monitor counts dead letters and unhandled messages and logs them rate-limited.
            l.DeadLetterOptions = new DeadLetterOptions { ShouldLog = TriStateValue.None, LogDuringShutdown = false };
        });
        var half = TimeSpan.FromTicks(settings.ShutdownTimeout.Ticks / 2);
        builder.AddHocon(
            $$"""
            akka.stdout-loglevel = OFF
            akka.stdout-logger-class = "IsmFabric.Fabric.Hosting.SilentStdoutLogger, IsmFabric.Fabric"
            akka.actor.guardian-supervisor-strategy = "Akka.Actor.StoppingSupervisorStrategy"
            akka.coordinated-shutdown {
              run-by-clr-shutdown-hook = off
              exit-clr = off
              phases.service-unbind.timeout = {{Ms(half)}}
              phases.service-requests-done.timeout = {{Ms(half)}}
              phases.service-stop.timeout = {{Ms(half)}}
            }
            """,
            HoconAddMode.Prepend);
        builder.WithCustomSerializer("ismfabric", [typeof(IFabricEvent)], system => new FabricEventSerializer(system));
        if (journal is not null)
        {
            builder.WithFabricJournal(journal);
        }

        builder.WithActors((system, registry) =>
        {
            var persistent = journal is not null;
            var node = system.ActorOf(Props.Create(() => new NodeActor(settings, devices, persistent, loggers)), "fabric");
            registry.Register<NodeActor>(node);
            system.ActorOf(Props.Create(() => new DeadLetterMonitor(loggers.CreateLogger("IsmFabric.Fabric.DeadLetters"))), "dead-letters");
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "close-channels", async () =>
            {
                await node.Ask<Channels.ChannelNegotiationSupervisor.ChannelsClosed>(NodeActor.CloseChannels.Instance, half, CancellationToken.None).ConfigureAwait(false);
                return Done.Instance;
            });
            shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "stop-devices", async () =>
            {
                await node.Ask<NodeActor.DevicesStopped>(NodeActor.StopDevices.Instance, half, CancellationToken.None).ConfigureAwait(false);
                return Done.Instance;
            });
        });
        return builder;
    }

    /// <summary>
    /// The node's journal and snapshot store on Akka.Persistence.Sql (SQLite in WAL mode, or PostgreSQL in its schema),
    /// tables created when missing, payloads written by <see cref="FabricEventSerializer"/> (register it with
    /// <c>WithCustomSerializer</c> for <see cref="IFabricEvent"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithFabricJournal(this AkkaConfigurationBuilder builder, FabricJournalOptions journal)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(journal);
        string connection, provider;
        Akka.Persistence.Sql.Hosting.DatabaseMapping mapping;
        if (journal.UsesPostgres)
        {
            connection = journal.PostgresConnectionString!;
            provider = ProviderName.PostgreSQL15;
            mapping = Akka.Persistence.Sql.Hosting.DatabaseMapping.PostgreSql;
            SqlJournalSetup.EnsurePostgresSchema(connection, journal.PostgresSchema);
        }
        else
        {
            connection = SqlJournalSetup.PrepareSqlite(journal.SqlitePath!);
            provider = ProviderName.SQLiteMS;
            mapping = Akka.Persistence.Sql.Hosting.DatabaseMapping.Sqlite;
        }

        var journalOptions = new SqlJournalOptions(isDefaultPlugin: true, identifier: PluginId)
        {
            ConnectionString = connection,
            ProviderName = provider,
            AutoInitialize = true,
            Serializer = "ismfabric",
            TagStorageMode = Akka.Persistence.Sql.Config.TagMode.TagTable,
            DatabaseOptions = SqlJournalSetup.JournalDatabase(mapping, journal.PostgresSchema),
        };
        var snapshotOptions = new SqlSnapshotOptions(isDefaultPlugin: true, identifier: PluginId)
        {
            ConnectionString = connection,
            ProviderName = provider,
            AutoInitialize = true,
            Serializer = "ismfabric",
            DatabaseOptions = SqlJournalSetup.SnapshotDatabase(mapping, journal.PostgresSchema),
        };
        builder.WithSqlPersistence(journalOptions, snapshotOptions);
        return builder;
    }

    private static string Ms(TimeSpan t) => ((long)Math.Max(1, t.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
}
