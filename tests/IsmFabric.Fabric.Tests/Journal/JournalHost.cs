using Akka.Actor;
using Akka.Hosting;
using IsmFabric.Fabric.Hosting;
using IsmFabric.Fabric.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>An actor system on the node's journal setup (Akka.Persistence.Sql, our serializer), with its own host.</summary>
public sealed class JournalHost : IAsyncDisposable
{
    private readonly IHost _host;

    private JournalHost(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public static async Task<JournalHost> StartAsync(FabricJournalOptions journal, string name = "journal-test")
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAkka(name, akka =>
        {
            akka.ConfigureLoggers(l => l.ClearLoggers());
            akka.AddHocon("akka.stdout-loglevel = OFF", HoconAddMode.Prepend);
            akka.WithCustomSerializer("ismfabric", [typeof(IFabricEvent)], system => new FabricEventSerializer(system));
            akka.WithFabricJournal(journal);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new JournalHost(host);
    }

    /// <summary>Recovers <paramref name="persistenceId"/> and returns what recovery saw.</summary>
    public async Task<Recorder.Recovered> RecoverAsync(string persistenceId)
    {
        var done = new TaskCompletionSource<Recorder.Recovered>(TaskCreationOptions.RunContinuationsAsynchronously);
        System.ActorOf(Props.Create(() => new Recorder(persistenceId, done)));
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
