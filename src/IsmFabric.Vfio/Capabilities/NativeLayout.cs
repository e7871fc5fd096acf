using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

/// <summary>
/// Field offsets and sizes read off the explicit-layout interop structs, so the byte-level codecs and the ABI table
/// share one source of truth (the <c>[FieldOffset]</c> attributes the header test checks).
/// </summary>
internal static class NativeLayout
{
    /// <summary>offsetof(T, field).</summary>
    internal static int Offset<T>(string field)
        where T : unmanaged => (int)Marshal.OffsetOf<T>(field);

    /// <summary>offsetof(T, field) + sizeof(field): where a field ends, which is where a capability version ends.</summary>
    internal static int OffsetOfEnd<T>(string field)
        where T : unmanaged
    {
        var info = typeof(T).GetField(field, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new ArgumentException($"{typeof(T).Name} has no field {field}", nameof(field));
        return Offset<T>(field) + Marshal.SizeOf(info.FieldType);
    }

    /// <summary>sizeof(T).</summary>
    internal static int Size<T>()
        where T : unmanaged => Unsafe.SizeOf<T>();
}
