using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>
/// The pool's bookkeeping, with a connect function that counts its calls and whose connections stay
/// "connecting" (never complete) or fail: who shares, who connects afresh, what is closed when.
/// Real SSH through the pool is exercised by every integration test that builds (and SshFaultTests,
/// which cuts the connections).
/// </summary>
public sealed class SshConnectionPoolTests
{
    private static BuildServer Server(string id = "s1", string ip = "127.0.0.9") => new()
    {
        Id = id, Hostname = id, IpAddress = ip, SshUsername = "kfbuild", SshKeyPath = "/nonexistent", SshHostKeyFingerprint = "SHA256:x",
    };

    private sealed class Connects
    {
        public int Calls;
        public Exception? Fail;
        public Task<RemoteShell> Connect(BuildServer s, TimeSpan t, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return Fail is { } e ? Task.FromException<RemoteShell>(e) : new TaskCompletionSource<RemoteShell>().Task;
        }
    }

    [Fact]
    public void Three_jobs_share_a_connection_and_the_fourth_opens_another()
    {
        var c = new Connects();
        var pool = new SshConnectionPool(TimeSpan.FromMinutes(1), c.Connect);
        var leases = Enumerable.Range(0, SshConnectionPool.LesseesPerConnection).Select(_ => pool.Acquire(Server(), TimeSpan.FromSeconds(5))).ToList();
        Assert.Equal(1, c.Calls);
        Assert.All(leases, l => Assert.Same(leases[0].Connection, l.Connection));
        var fourth = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        Assert.Equal(2, c.Calls);
        Assert.NotSame(leases[0].Connection, fourth.Connection);
        Assert.Equal(2, pool.OpenConnections(Server()));
    }

    [Fact]
    public void A_released_place_is_taken_again_without_connecting()
    {
        var c = new Connects();
        var pool = new SshConnectionPool(TimeSpan.FromMinutes(1), c.Connect);
        var first = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        first.Release();
        first.Release(); // a second release of the same lease frees nothing more
        var leases = Enumerable.Range(0, SshConnectionPool.LesseesPerConnection).Select(_ => pool.Acquire(Server(), TimeSpan.FromSeconds(5))).ToList();
        Assert.Equal(1, c.Calls);
        Assert.All(leases, l => Assert.Same(first.Connection, l.Connection));
    }

    [Fact]
    public void Servers_that_differ_in_address_user_key_or_host_key_never_share()
    {
        var c = new Connects();
        var pool = new SshConnectionPool(TimeSpan.FromMinutes(1), c.Connect);
        var a = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        var b = pool.Acquire(Server() with { SshUsername = "other" }, TimeSpan.FromSeconds(5));
        var k = pool.Acquire(Server() with { SshHostKeyFingerprint = "SHA256:y" }, TimeSpan.FromSeconds(5));
        var p = pool.Acquire(Server() with { SshKeyPath = "/other" }, TimeSpan.FromSeconds(5));
        var i = pool.Acquire(Server(ip: "127.0.0.10"), TimeSpan.FromSeconds(5));
        Assert.Equal(5, c.Calls);
        Assert.Equal(5, new[] { a, b, k, p, i }.Select(l => l.Connection).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_connection_is_not_handed_out_again()
    {
        var c = new Connects { Fail = new RemoteConnectException("refused") };
        var pool = new SshConnectionPool(TimeSpan.FromMinutes(1), c.Connect);
        var first = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<RemoteConnectException>(() => first.Connection);
        Assert.False(first.IsLive);
        var second = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        Assert.Equal(2, c.Calls);
        Assert.NotSame(first.Connection, second.Connection);
    }

    [Fact]
    public void A_dropped_connection_is_gone_for_everyone_on_it()
    {
        var c = new Connects();
        var pool = new SshConnectionPool(TimeSpan.FromMinutes(1), c.Connect);
        var a = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        var b = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        a.Drop();
        Assert.False(b.IsLive);
        Assert.Equal(0, pool.OpenConnections(Server()));
        var next = pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        Assert.Equal(2, c.Calls);
        Assert.NotSame(b.Connection, next.Connection);
        b.Release(); // the dropped one's last lessee leaves: nothing else changes
        Assert.Equal(1, pool.OpenConnections(Server()));
    }

    [Fact]
    public void An_unleased_connection_closes_after_the_linger_and_a_lease_in_time_keeps_it()
    {
        var c = new Connects();
        var time = new FakeTimeProvider();
        var pool = new SshConnectionPool(TimeSpan.FromSeconds(60), c.Connect, time);
        pool.Acquire(Server(), TimeSpan.FromSeconds(5)).Release();
        time.Advance(TimeSpan.FromSeconds(59));
        var kept = pool.Acquire(Server(), TimeSpan.FromSeconds(5)); // within the linger: the same connection
        Assert.Equal(1, c.Calls);
        time.Advance(TimeSpan.FromSeconds(120)); // past the first linger: the lease holds it open
        Assert.Equal(1, pool.OpenConnections(Server()));
        kept.Release();
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, pool.OpenConnections(Server()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, pool.OpenConnections(Server()));
        pool.Acquire(Server(), TimeSpan.FromSeconds(5));
        Assert.Equal(2, c.Calls);
    }
}
