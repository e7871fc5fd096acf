namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>Names of the native libraries the raw layer binds to.</summary>
    internal static class Libraries
    {
        /// <summary>The C library; glibc resolves "libc" to libc.so.6.</summary>
        internal const string Libc = "libc";
    }
}
