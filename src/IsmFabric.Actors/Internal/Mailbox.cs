using System.Collections.Concurrent;

namespace IsmFabric.Actors;

/// <summary>
/// One actor's queues and its scheduling on the thread pool: no thread per actor, and at most one thread runs an
/// actor at a time. A run processes all pending system messages, then up to <c>throughput</c> user messages, then
/// yields the thread so thousands of actors share a few threads fairly.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Scheduled = 1;

    private readonly ConcurrentQueue<Envelope> _user = new();
    private readonly ConcurrentQueue<SystemMessage> _system = new();

    // Messages put back at the front by Unstash; touched only by the thread running the actor. The front is the end.
    private readonly List<Envelope> _prepended = [];
    private readonly ActorCell _cell;
    private readonly int _throughput;
    private int _status;
    private volatile bool _closed;

    public Mailbox(ActorCell cell, int throughput)
    {
        _cell = cell;
        _throughput = throughput;
    }

    public bool IsClosed => _closed;

    /// <summary>Number of user messages waiting (approximate while other threads post).</summary>
    public int Count => _user.Count + _prepended.Count;

    public void Post(in Envelope envelope)
    {
        if (_closed)
        {
            _cell.System.PublishDeadLetter(envelope, _cell.Self);
            return;
        }

        _user.Enqueue(envelope);
        if (_closed)
        {
            // Raced with Close: whichever side dequeues first turns the message into a dead letter.
            DrainUserToDeadLetters();
            return;
        }

        TrySchedule();
    }

    public void PostSystem(SystemMessage message)
    {
        if (_closed)
        {
            _cell.HandleSystemMessageWhenDead(message);
            return;
        }

        _system.Enqueue(message);
        if (_closed)
        {
            DrainSystemWhenDead();
            return;
        }

        TrySchedule();
    }

    /// <summary>Puts <paramref name="envelopes"/> in front of every queued message, keeping their order.</summary>
    public void Prepend(IReadOnlyList<Envelope> envelopes)
    {
        for (var i = envelopes.Count - 1; i >= 0; i--)
        {
            _prepended.Add(envelopes[i]);
        }
    }

    /// <summary>Stops the mailbox for good; everything still queued becomes a dead letter.</summary>
    public void Close()
    {
        _closed = true;
        for (var i = _prepended.Count - 1; i >= 0; i--)
        {
            _cell.System.PublishDeadLetter(_prepended[i], _cell.Self);
        }

        _prepended.Clear();
        DrainUserToDeadLetters();
        DrainSystemWhenDead();
    }

    public void TrySchedule()
    {
        if (Interlocked.CompareExchange(ref _status, Scheduled, Idle) == Idle)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        var previous = ActorCell.Current;
        ActorCell.Current = _cell;
        try
        {
            ProcessSystemMessages();
            var left = _throughput;
            while (left-- > 0 && !_closed && !_cell.IsSuspended && TryDequeueUser(out var envelope))
            {
                _cell.Invoke(envelope);
                if (!_system.IsEmpty)
                {
                    ProcessSystemMessages();
                }
            }
        }
        finally
        {
            ActorCell.Current = previous;

            // A full fence: the emptiness checks below must not be read before the status is Idle, or a message
            // posted in between would be left unscheduled.
            Interlocked.Exchange(ref _status, Idle);
        }

        if (!_closed && (!_system.IsEmpty || (!_cell.IsSuspended && (_prepended.Count > 0 || !_user.IsEmpty))))
        {
            TrySchedule();
        }
    }

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_prepended.Count > 0)
        {
            envelope = _prepended[^1];
            _prepended.RemoveAt(_prepended.Count - 1);
            return true;
        }

        return _user.TryDequeue(out envelope);
    }

    private void ProcessSystemMessages()
    {
        while (!_closed && _system.TryDequeue(out var message))
        {
            _cell.SystemInvoke(message);
        }
    }

    private void DrainUserToDeadLetters()
    {
        while (_user.TryDequeue(out var envelope))
        {
            _cell.System.PublishDeadLetter(envelope, _cell.Self);
        }
    }

    private void DrainSystemWhenDead()
    {
        while (_system.TryDequeue(out var message))
        {
            _cell.HandleSystemMessageWhenDead(message);
        }
    }
}
