namespace IsmFabric.Actors;

/// <summary>When a <see cref="BackoffSupervisor"/> re-creates its child.</summary>
public enum BackoffMode
{
    /// <summary>After the child fails (its decider said Restart); a child that stops by itself stops the supervisor too.</summary>
    OnFailure,

    /// <summary>After the child stops, for whatever reason (a failure stops it under this mode).</summary>
    OnStop,
}
