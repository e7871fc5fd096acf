namespace IsmFabric.Actors;

/// <summary>The stash of one actor cell; used only on the thread running the actor.</summary>
internal sealed class UnboundedStash : IStash
{
    private readonly ActorCell _cell;
    private readonly List<Envelope> _stashed = [];

    public UnboundedStash(ActorCell cell) => _cell = cell;

    public int Count => _stashed.Count;

    public void Stash()
    {
        var current = _cell.CurrentEnvelope;
        if (current.Message is null)
        {
            throw new InvalidOperationException("Stash() can only be called while processing a message");
        }

        if (_stashed.Count > 0 && ReferenceEquals(_stashed[^1].Message, current.Message) && ReferenceEquals(_stashed[^1].Sender, current.Sender))
        {
            throw new InvalidOperationException($"The message {current.Message.GetType().Name} was already stashed");
        }

        _stashed.Add(current);
    }

    public void Unstash()
    {
        if (_stashed.Count == 0)
        {
            return;
        }

        var first = _stashed[0];
        _stashed.RemoveAt(0);
        _cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll()
    {
        if (_stashed.Count == 0)
        {
            return;
        }

        _cell.Mailbox.Prepend(_stashed);
        _stashed.Clear();
    }

    public void ClearStash()
    {
        foreach (var e in _stashed)
        {
            _cell.System.PublishDeadLetter(e, _cell.Self);
        }

        _stashed.Clear();
    }
}
