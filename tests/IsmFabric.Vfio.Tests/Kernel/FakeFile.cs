using System.Runtime.InteropServices;

namespace IsmFabric.Vfio.Tests;

/// <summary>One fake descriptor: logs each call with the request's header name, then lets the subclass answer.</summary>
internal abstract unsafe class FakeFile : IVfioFile
{
    private static readonly Dictionary<nuint, string> RequestNames = typeof(Interop.VfioIoctl)
        .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
        .Concat(typeof(Interop.IommufdIoctl).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic))
        .Where(f => f.IsLiteral && f.FieldType == typeof(nuint) && f.Name != "Base")
        .ToDictionary(f => (nuint)Convert.ToUInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture), f => f.Name);

    protected FakeFile(FakeVfioKernel kernel, string path, string kind)
    {
        Kernel = kernel;
        Path = path;
        Kind = kind;
        Descriptor = kernel.Register(this);
    }

    public FakeVfioKernel Kernel { get; }

    public string Path { get; }

    public string Kind { get; }

    public int Descriptor { get; }

    public bool Closed { get; private set; }

    /// <summary>Non-zero: opening the node fails with this errno.</summary>
    public int OpenErrno { get; set; }

    /// <summary>Request number → errno: the next such ioctl fails.</summary>
    public Dictionary<nuint, int> FailNext { get; } = [];

    public int Ioctl(nuint request, void* argument, out int errno) => Dispatch(request, () => Handle(request, (byte*)argument), out errno);

    public int Ioctl(nuint request, nint value, out int errno) => Dispatch(request, () => HandleValue(request, value), out errno);

    public virtual nint PRead(Span<byte> buffer, long offset, out int errno)
    {
        errno = Errno.EINVAL;
        return -1;
    }

    public virtual nint PWrite(ReadOnlySpan<byte> buffer, long offset, out int errno)
    {
        errno = Errno.EINVAL;
        return -1;
    }

    public void Dispose()
    {
        if (!Closed)
        {
            Closed = true;
            Kernel.Log.Add($"close {Kind}");
            OnClose();
        }
    }

    protected static string RequestName(nuint request) => RequestNames.TryGetValue(request, out var name) ? name : $"0x{request:x}";

    protected static ref T At<T>(byte* p)
        where T : unmanaged => ref *(T*)p;

    protected virtual int Handle(nuint request, byte* argument) => throw new ErrnoException(Errno.ENOTTY);

    protected virtual int HandleValue(nuint request, nint value) => throw new ErrnoException(Errno.ENOTTY);

    protected virtual void OnClose()
    {
    }

    private int Dispatch(nuint request, Func<int> handler, out int errno)
    {
        Kernel.Log.Add($"{Kind} {RequestName(request)}");
        if (Closed)
        {
            errno = Errno.EBADF;
            return -1;
        }

        if (FailNext.Remove(request, out var failure))
        {
            errno = failure;
            return -1;
        }

        try
        {
            errno = 0;
            return handler();
        }
        catch (ErrnoException e)
        {
            errno = e.Errno;
            return -1;
        }
    }

    /// <summary>How a fake handler returns -1 with an errno.</summary>
    protected sealed class ErrnoException(int errno) : Exception($"errno {errno}")
    {
        public int Errno { get; } = errno;
    }

    /// <summary>Reads the kernel-side view of a struct's argsz and checks it is at least <paramref name="minimum"/>.</summary>
    protected static uint RequireArgsz(byte* argument, int minimum)
    {
        var argsz = *(uint*)argument;
        return argsz >= minimum ? argsz : throw new ErrnoException(Errno.EINVAL);
    }

    protected static byte[] Copy(byte* argument, int length)
    {
        var bytes = new byte[length];
        Marshal.Copy((nint)argument, bytes, 0, length);
        return bytes;
    }
}
