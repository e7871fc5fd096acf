using System.Text;
using Xunit;

namespace IsmFabric.Persistence.Tests;

public sealed class EventTypeRegistrySpec
{
    [Fact]
    public void An_event_is_stored_under_its_registered_name_and_version_with_no_CLR_type_name()
    {
        var registry = new EventTypeRegistry().Register<Added>("added", 3);
        var (name, version, payload) = registry.Serialize(new Added(5));
        Assert.Equal("added", name);
        Assert.Equal(3, version);
        var json = Encoding.UTF8.GetString(payload);
        Assert.DoesNotContain(nameof(Added), json, StringComparison.Ordinal);
        Assert.DoesNotContain("IsmFabric", json, StringComparison.Ordinal);
        Assert.Equal(new Added(5), registry.Deserialize("added", 3, payload));
    }

    [Fact]
    public void Two_versions_of_one_name_map_to_two_CLR_types()
    {
        var registry = new EventTypeRegistry().Register<Added>("amount", 1).Register<CounterState>("amount", 2);
        Assert.IsType<Added>(registry.Deserialize("amount", 1, "{\"amount\":1}"u8));
        Assert.IsType<CounterState>(registry.Deserialize("amount", 2, "{\"total\":1}"u8));
    }

    [Fact]
    public void Duplicate_registrations_and_unknown_types_are_refused()
    {
        var registry = new EventTypeRegistry().Register<Added>("added", 1);
        Assert.Throws<ArgumentException>(() => registry.Register<CounterState>("added", 1));
        Assert.Throws<ArgumentException>(() => registry.Register<Added>("added-again", 1));
        Assert.Throws<UnknownEventTypeException>(() => registry.Serialize(new NotRegistered(1)));
        Assert.Throws<UnknownEventTypeException>(() => registry.Deserialize("added", 2, "{}"u8));
        Assert.False(registry.IsRegistered(typeof(CounterState)));
    }
}
