namespace IsmFabric.Actors;

/// <summary>What a supervisor does with a child that failed.</summary>
public enum Directive
{
    /// <summary>Keep the child and its state; it goes on with the next message (the failing one is dropped).</summary>
    Resume,

    /// <summary>Replace the child's instance with a fresh one; the mailbox is kept, only the failing message is dropped.</summary>
    Restart,

    /// <summary>Stop the child for good.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, so its own supervisor decides.</summary>
    Escalate,
}
