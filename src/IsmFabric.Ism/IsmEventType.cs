namespace IsmFabric.Ism;

/// <summary>The <c>type</c> of an IEQ entry (spec §3.4).</summary>
public enum IsmEventType : uint
{
    /// <summary>ISM_EVENT_BUF: about a DMB; the token is in <see cref="IsmEvent.Token"/>.</summary>
    Buffer = 0,

    /// <summary>ISM_EVENT_DEV: about a peer function; its GID is in <see cref="IsmEvent.Token"/>.</summary>
    Device = 1,

    /// <summary>ISM_EVENT_SWR: a software event from SIGNAL_IEQ; the sender's GID is in <see cref="IsmEvent.Token"/>.</summary>
    Software = 2,
}
