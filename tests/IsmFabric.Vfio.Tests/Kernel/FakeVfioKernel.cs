namespace IsmFabric.Vfio.Tests;

/// <summary>
/// A kernel stand-in for the VFIO flows: device nodes by path, descriptors numbered from 100, and a log of every
/// open, ioctl and close in order. The files interpret the ioctl structs through their pointers as the kernel does.
/// </summary>
internal sealed class FakeVfioKernel : IVfioKernel
{
    private readonly Dictionary<string, FakeFile> _nodes = [];
    private readonly Dictionary<int, FakeFile> _byDescriptor = [];
    private int _next = 100;

    public List<string> Log { get; } = [];

    /// <summary>Makes <paramref name="file"/> openable at its path.</summary>
    public T Add<T>(T file)
        where T : FakeFile
    {
        _nodes[file.Path] = file;
        return file;
    }

    public IVfioFile? Open(string path, out int errno)
    {
        Log.Add($"open {path}");
        if (!_nodes.TryGetValue(path, out var file))
        {
            errno = Errno.ENOENT;
            return null;
        }

        if (file.OpenErrno != 0)
        {
            errno = file.OpenErrno;
            return null;
        }

        errno = 0;
        return file;
    }

    public IVfioFile Adopt(int descriptor, string description)
    {
        Log.Add($"adopt {descriptor}");
        return _byDescriptor[descriptor];
    }

    public int Register(FakeFile file)
    {
        var fd = _next++;
        _byDescriptor[fd] = file;
        return fd;
    }
}
