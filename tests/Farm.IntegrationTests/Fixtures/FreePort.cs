using System.Net;
using System.Net.Sockets;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>Finds a TCP port that is currently free on one IP address.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// Binds port 0 on <paramref name="ipAddress"/>, reads the port the kernel chose and
    /// releases it. Inherently racy (someone may grab the port before you bind it), so the
    /// fixtures retry with a new port when their daemon fails with "Address already in use".
    /// Never hands out the same port twice in one test run: the kernel may choose a port it just
    /// released again, and two farm nodes given one Akka port both bind it (.NET's ReuseAddress
    /// is SO_REUSEPORT on Linux) and share its connections.
    /// </summary>
    public static int Get(string ipAddress = "127.0.0.1")
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Parse(ipAddress), 0);
            listener.Start();
            int port;
            try
            {
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }

    /// <summary>
    /// Polls until a TCP connect to ip:port succeeds. Returns false on timeout or when
    /// <paramref name="giveUp"/> returns true (e.g. the daemon process exited).
    /// </summary>
    public static async Task<bool> WaitUntilListeningAsync(string ipAddress, int port, TimeSpan timeout,
        Func<bool>? giveUp = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await IsListeningAsync(ipAddress, port, ct).ConfigureAwait(false))
                return true;
            if (giveUp?.Invoke() == true || DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True if a TCP connection to ip:port can be opened right now (1 s connect timeout).</summary>
    public static async Task<bool> IsListeningAsync(string ipAddress, int port, CancellationToken ct = default)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(IPAddress.Parse(ipAddress), port, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
