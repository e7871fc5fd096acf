namespace IsmFabric.Fabric.Persistence;

/// <summary>An event or snapshot the node journals; <see cref="FabricEventSerializer"/> writes each with a versioned manifest.</summary>
public interface IFabricEvent;
