using System.Net;
using System.Net.Sockets;

namespace OperaStudio.AppHost.Hosting;

/// <summary>Finds free loopback ports and checks, before a start, that a port a user chose is really free.</summary>
public static class Ports
{
    public static int GetFreePort()
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
            listener.Server.ExclusiveAddressUse = true;
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static void EnsureFree(int port, string owner, string hint)
    {
        if (!IsFree(port))
        {
            throw new AppHostException($"Port {port} ({owner}) is already in use by another process. {hint}");
        }
    }
}
