using System.Net;
using System.Net.Sockets;

namespace OperaStudio.AppHost;

internal static class Ports
{
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private const int LowestChoice = 10_000;

    /// <summary>
    /// A loopback port for an endpoint that DCP does not proxy (such an endpoint needs its port up front). It is free
    /// now and chosen below the system's ephemeral range: a port the OS hands out for "any port" (as DCP gets the ports
    /// of the resources it starts later, Redis's among them) was free here too, and taking it meant that on a restart
    /// the browser service found Redis on its port.
    /// </summary>
    public static int Free()
    {
        var (low, _) = EphemeralRange();
        if (low - LowestChoice >= 1_000)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = Random.Shared.Next(LowestChoice, low);
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

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

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText(EphemeralRangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], out var low) && int.TryParse(parts[1], out var high))
            {
                return (low, high);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return (49_152, 65_535); // the IANA dynamic range, which Windows and macOS use
    }
}
