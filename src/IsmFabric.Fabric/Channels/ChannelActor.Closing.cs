using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// Closing: what was sent is delivered (acknowledged) first, then the Closing flag and CLOSE; DMBs are freed only once
/// the peer can no longer write them. A peer's close is answered at once; our DMB stays until our reader has read what
/// the peer sent before closing.
/// </summary>
internal sealed partial class ChannelActor
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(5);
    private DeclineReason? _closeRequested;
    private bool _closeSent;
    private bool _peerClosed;
    private bool _readerAtEnd;

    private void BeginClose(DeclineReason reason, string why)
    {
        if (_state is ChannelState.Closing or ChannelState.Closed or ChannelState.Ended || _closeRequested is not null)
        {
            return;
        }

        _endReason ??= why;
        if (_state is ChannelState.Opening)
        {
            ReleaseGranted();
            _opener?.Tell(new ChannelOpenFailed(why));
            _opener = null;
            Finish(null);
            return;
        }

        if (_peerClosed)
        {
            Finish(null);
            return;
        }

        // No more sends; what was sent is delivered before the peer is told.
        _closeRequested = reason;
        _plane!.CloseSends(why);
        Timers.StartPeriodicTimer("drain", DrainTick.Instance, DrainPoll);
        Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.NegotiationTimeout * 4);
        ContinueClose(timedOut: false);
    }

    private void ContinueClose(bool timedOut)
    {
        if (_closeRequested is not { } reason)
        {
            return;
        }

        if (_state == ChannelState.Closing)
        {
            if (timedOut)
            {
                Finish(null); // the peer did not answer our CLOSE in time
            }

            return;
        }

        if (!timedOut && _state == ChannelState.Open && !_plane!.AllAcknowledged)
        {
            return; // still delivering (or failing over)
        }

        Timers.Cancel("drain");
        _plane!.AnnounceClose();
        SendClose(reason);
        _state = ChannelState.Closing;
        Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.NegotiationTimeout);
        Report();
    }

    private void SendClose(DeclineReason reason)
    {
        if (!_closeSent)
        {
            _closeSent = true;
            SendNegotiation(NegotiationKind.Close, 0, 0, reason);
        }
    }

    private void OnPeerClose(DeclineReason reason)
    {
        switch (_state)
        {
            case ChannelState.Closing:
                Finish(null); // the peer acknowledged our close
                break;
            case ChannelState.Open or ChannelState.FailingOver:
                // The peer no longer writes our DMB after this; answer so it may free its own.
                _peerClosed = true;
                _endReason = $"closed by peer {_key.Peer} ({reason})";
                SendClose(DeclineReason.Closed);
                _plane?.CloseSends(_endReason);
                if (reason is not (DeclineReason.None or DeclineReason.Closed or DeclineReason.ShuttingDown))
                {
                    Finish(_endReason);
                    return;
                }

                if (_readerAtEnd)
                {
                    Finish(null); // our reader already has everything the peer sent
                    return;
                }

                // Keep our DMB until our reader has what the peer sent before closing (or a while passed).
                _state = ChannelState.Closing;
                Timers.StartSingleTimer("peer-drain", PeerDrainTimedOut.Instance, _settings.NegotiationTimeout * 4);
                Report();
                break;
            case ChannelState.Opening:
                ReleaseGranted();
                FailOpen($"peer {_key.Peer} closed the channel during negotiation ({reason})");
                break;
            default:
                break;
        }
    }

    private void OnPeerClosingSeen()
    {
        // The Closing flag in the peer's control block: its CLOSE follows; nothing to do until then.
        _log.LogDebug("channel {Channel}: peer {Peer} announced closing", Id, _key.Peer);
    }

    private void OnReaderAtEnd()
    {
        _readerAtEnd = true;
        if (_peerClosed)
        {
            Finish(null);
        }
    }

    private void Fail(string reason, DeclineReason code)
    {
        if (_state is ChannelState.Closed or ChannelState.Ended)
        {
            return;
        }

        SendClose(code);
        _endReason = reason;
        Finish(reason);
    }

    private void Finish(string? failure)
    {
        if (_state is ChannelState.Closed or ChannelState.Ended)
        {
            return;
        }

        _state = failure is null ? ChannelState.Closed : ChannelState.Ended;
        Timers.Cancel("failover");
        Timers.Cancel("close");
        Timers.Cancel("drain");
        Timers.Cancel("peer-drain");
        var closed = $"channel {Id} to {_key.Peer} closed";
        _plane?.End(failure, _endReason ?? closed);
        if (_path is not null)
        {
            Free(_path.Handle.Token);
        }

        ReleaseGranted();
        _user?.Finish(failure, closed);
        _log.LogInformation("channel {Channel} to {Peer} ended: {Reason}", Id, _key.Peer, failure ?? _endReason ?? "closed");
        Report();
        Context.Stop(Self);
    }
}
