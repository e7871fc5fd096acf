using IsmFabric.Actors;

namespace IsmFabric.Persistence;

/// <summary>
/// What persistent actors of one actor system persist to: the journal, the snapshot store and the event type
/// registry. Register it once at start-up; persistent actors find it through their system.
/// </summary>
public sealed class PersistenceExtension
{
    /// <summary>Creates the extension.</summary>
    /// <param name="journal">The event journal.</param>
    /// <param name="snapshotStore">The snapshot store.</param>
    /// <param name="registry">The event and snapshot types.</param>
    public PersistenceExtension(IEventJournal journal, ISnapshotStore snapshotStore, EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(snapshotStore);
        ArgumentNullException.ThrowIfNull(registry);
        Journal = journal;
        SnapshotStore = snapshotStore;
        Registry = registry;
    }

    /// <summary>The event journal.</summary>
    public IEventJournal Journal { get; }

    /// <summary>The snapshot store.</summary>
    public ISnapshotStore SnapshotStore { get; }

    /// <summary>The event and snapshot types.</summary>
    public EventTypeRegistry Registry { get; }

    /// <summary>Registers persistence for <paramref name="system"/> (the first registration wins).</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="journal">The event journal.</param>
    /// <param name="snapshotStore">The snapshot store.</param>
    /// <param name="registry">The event and snapshot types.</param>
    /// <returns>The registered extension.</returns>
    public static PersistenceExtension Register(ActorSystem system, IEventJournal journal, ISnapshotStore snapshotStore, EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.RegisterExtension(new PersistenceExtension(journal, snapshotStore, registry));
    }

    /// <summary>The persistence registered for <paramref name="system"/>.</summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The extension.</returns>
    /// <exception cref="InvalidOperationException">None was registered.</exception>
    public static PersistenceExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.GetExtension<PersistenceExtension>()
            ?? throw new InvalidOperationException($"No persistence is registered for actor system {system.Name}; call PersistenceExtension.Register at start-up");
    }
}
