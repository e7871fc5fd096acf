using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>The errno left by the last <c>SetLastError = true</c> import on this thread.</summary>
    internal static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>Throws the typed exception for the errno of the last failed native call.</summary>
    [DoesNotReturn]
    internal static void ThrowForLastError(string operation, string? detail = null) =>
        throw VfioErrors.FromErrno(LastErrno, operation, detail);
}
