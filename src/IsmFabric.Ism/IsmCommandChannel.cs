using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>
/// The command procedure of spec §2.1 over BAR 2: body to offset 8, header to offset 0 (which starts the command),
/// then 8-byte loads of the response. One command at a time.
/// </summary>
internal sealed class IsmCommandChannel
{
    internal const int MaxResponse = 256;

    private readonly VfioRegion _bar2;
    private readonly string _device;
    private readonly Lock _lock = new();
    private readonly byte[] _request = new byte[MaxResponse];
    private readonly byte[] _response = new byte[MaxResponse];

    internal IsmCommandChannel(VfioRegion bar2, string device)
    {
        _bar2 = bar2;
        _device = device;
    }

    /// <summary>
    /// One PCI load of the response header, between commands: null while the function answers loads, else why not
    /// (a function in error state or gone fails every load, spec §2.4). Changes nothing on the device.
    /// </summary>
    internal Exception? Probe()
    {
        lock (_lock)
        {
            try
            {
                _bar2.Read(0, _response.AsSpan(0, 8));
                return null;
            }
            catch (VfioException e) when (e is VfioIoException or VfioDeviceUnavailableException)
            {
                return e;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="code"/> with <paramref name="body"/> and copies the response body into
    /// <paramref name="responseBody"/>; returns ret. A failed store or load reads as ISM_ERROR, as in the kernel.
    /// </summary>
    internal ushort Execute(IsmCommandCode code, ReadOnlySpan<byte> body, Span<byte> responseBody, int expectedResponseLength, out Exception? failure) =>
        Execute(code, body, responseBody, expectedResponseLength, out failure, out _);

    /// <summary>
    /// As <see cref="Execute(IsmCommandCode, ReadOnlySpan{byte}, Span{byte}, int, out Exception?)"/>, and tells whether
    /// the command <paramref name="started"/>: the store of its header went through, so the device may have carried it
    /// out even when its answer could not be loaded.
    /// </summary>
    internal ushort Execute(IsmCommandCode code, ReadOnlySpan<byte> body, Span<byte> responseBody, int expectedResponseLength, out Exception? failure, out bool started)
    {
        failure = null;
        started = false;
        lock (_lock)
        {
            var len = 8 + body.Length;
            BinaryPrimitives.WriteUInt32BigEndian(_request, (uint)code);
            BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(4), 0);
            BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(6), (ushort)len);
            body.CopyTo(_request.AsSpan(8));
            try
            {
                if (body.Length > 0)
                {
                    _bar2.Write(8, _request.AsSpan(8, body.Length));
                }

                _bar2.Write(0, _request.AsSpan(0, 8));
                started = true;
                _bar2.Read(0, _response.AsSpan(0, 8));
            }
            catch (VfioException e) when (e is VfioIoException or VfioDeviceUnavailableException)
            {
                failure = e;
                return IsmCommandException.IsmError;
            }

            var ret = BinaryPrimitives.ReadUInt16BigEndian(_response.AsSpan(4));
            if (ret != 0)
            {
                return ret;
            }

            var respLen = BinaryPrimitives.ReadUInt16BigEndian(_response.AsSpan(6));
            if (respLen < 8 || respLen % 8 != 0 || respLen > MaxResponse)
            {
                throw new IsmProtocolException(
                    $"{_device}: {code} answered a response length of {respLen}; it must be a multiple of 8 between 8 and {MaxResponse}");
            }

            if (respLen != expectedResponseLength)
            {
                throw new IsmProtocolException($"{_device}: {code} answered {respLen} bytes, expected {expectedResponseLength}");
            }

            try
            {
                for (var at = 8; at < respLen; at += 8)
                {
                    _bar2.Read(at, _response.AsSpan(at, 8)); // one 8-byte load at a time, as the kernel does
                }
            }
            catch (VfioException e) when (e is VfioIoException or VfioDeviceUnavailableException)
            {
                failure = e;
                return IsmCommandException.IsmError;
            }

            _response.AsSpan(8, Math.Min(respLen - 8, responseBody.Length)).CopyTo(responseBody);
            return 0;
        }
    }
}
