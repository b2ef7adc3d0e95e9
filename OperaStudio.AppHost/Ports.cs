using System.Net;
using System.Net.Sockets;

namespace OperaStudio.AppHost;

internal static class Ports
{
    /// <summary>A loopback port free right now (for endpoints that DCP does not proxy, which need a port up front).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
