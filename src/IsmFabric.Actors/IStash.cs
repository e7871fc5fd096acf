namespace IsmFabric.Actors;

/// <summary>
/// Lets an actor set the current message aside and take it back later, ahead of everything else in its mailbox,
/// in the order it was stashed. Stashed messages go back to the mailbox on restart and become dead letters on stop.
/// </summary>
public interface IStash
{
    /// <summary>Number of stashed messages.</summary>
    int Count { get; }

    /// <summary>Sets the message being processed aside (with its sender).</summary>
    void Stash();

    /// <summary>Puts the oldest stashed message back at the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Puts all stashed messages back at the front of the mailbox, oldest first.</summary>
    void UnstashAll();

    /// <summary>Drops every stashed message (they become dead letters).</summary>
    void ClearStash();
}
