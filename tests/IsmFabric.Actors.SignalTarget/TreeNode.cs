using IsmFabric.Actors;

namespace IsmFabric.Actors.SignalTarget;

/// <summary>A node of a small actor tree that prints its path to stdout when it stops.</summary>
internal sealed class TreeNode : ReceiveActor
{
    public TreeNode(int depth)
    {
        if (depth > 0)
        {
            Context.ActorOf(Props.Create(() => new TreeNode(depth - 1)), "a");
            Context.ActorOf(Props.Create(() => new TreeNode(depth - 1)), "b");
        }

        ReceiveAny(_ => Sender.Tell("ready"));
    }

    // A test program: the parent process reads these lines.
    protected override void PostStop() => Console.Out.WriteLine("stopped " + Self.Path);
}
