using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>What an actor can see and do about itself while it processes a message (Akka's <c>Context</c>).</summary>
public interface IActorContext
{
    /// <summary>This actor's own reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being processed; the dead-letters reference when there is none.</summary>
    IActorRef Sender { get; }

    /// <summary>The parent (supervisor) of this actor.</summary>
    IActorRef Parent { get; }

    /// <summary>The actor system this actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from.</summary>
    Props Props { get; }

    /// <summary>A logger whose category is the actor's type.</summary>
    ILogger Log { get; }

    /// <summary>The living children (a snapshot).</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>The living child named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>The child, or null.</returns>
    IActorRef? Child(string name);

    /// <summary>Creates a child actor supervised by this one.</summary>
    /// <param name="props">How to create it.</param>
    /// <param name="name">Its name (unique among living siblings); null picks one.</param>
    /// <returns>The child's reference.</returns>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops <paramref name="actor"/> (itself or a child) after the message it is processing; queued messages become dead letters.</summary>
    /// <param name="actor">The actor to stop.</param>
    void Stop(IActorRef actor);

    /// <summary>Asks to receive <see cref="Terminated"/> when <paramref name="subject"/> stops (at once if it is already dead).</summary>
    /// <param name="subject">The actor to watch.</param>
    /// <returns><paramref name="subject"/>.</returns>
    IActorRef Watch(IActorRef subject);

    /// <summary>Cancels a <see cref="Watch"/>; no <see cref="Terminated"/> for <paramref name="subject"/> is received afterwards.</summary>
    /// <param name="subject">The watched actor.</param>
    /// <returns><paramref name="subject"/>.</returns>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behavior with <paramref name="receive"/>.</summary>
    /// <param name="receive">The new behavior.</param>
    void Become(Receive receive);

    /// <summary>Pushes <paramref name="receive"/> on the behavior stack; <see cref="UnbecomeStacked"/> returns to the previous one.</summary>
    /// <param name="receive">The new behavior.</param>
    void BecomeStacked(Receive receive);

    /// <summary>Pops the behavior pushed last (the initial behavior is never popped).</summary>
    void UnbecomeStacked();
}
