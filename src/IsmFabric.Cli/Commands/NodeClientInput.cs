using System.CommandLine;
using IsmFabric.Host.Control;

namespace IsmFabric.Cli.Commands;

/// <summary>
/// How a client command finds the local node: <c>--socket PATH</c>, or the socket of the node configured by
/// <c>--data-dir</c>/<c>--name</c>/<c>--config</c> (as <c>node run</c> would place it), and whether to print JSON.
/// </summary>
internal sealed class NodeClientInput
{
    private readonly NodeOptionsInput _node = new();

    internal Option<string?> Socket { get; } = new("--socket") { Description = "The node's control socket; default <data-dir>/node.sock." };

    internal Option<bool> Json { get; } = new("--json") { Description = "Print as JSON." };

    internal void AddTo(Command command)
    {
        command.Add(Socket);
        _node.AddTo(command);
        command.Add(Json);
    }

    internal ControlClient Client(ParseResult result) =>
        new(result.GetValue(Socket) ?? _node.Resolve(result).ControlSocket);
}
