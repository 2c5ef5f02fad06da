using System.Text.Json.Nodes;
using KernelFarm.Cli.Cluster;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Servers;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ViewTests
{
    [Fact]
    public void The_actor_tree_is_indented_with_children_by_name()
    {
        var root = JsonNode.Parse("""
            {"path":"akka://kernelfarm/user","children":[
              {"path":"akka://kernelfarm/user/server-pool","children":[]},
              {"path":"akka://kernelfarm/user/build-queue","children":[
                 {"path":"akka://kernelfarm/user/build-queue/singleton","children":[
                    {"path":"akka://kernelfarm/user/build-queue/singleton/build-queue"}]}]},
              {"path":"akka://kernelfarm/user/job-index"}]}
            """)!;
        Assert.Equal(
            "akka://kernelfarm/user\n" +
            "├── build-queue\n" +
            "│   └── singleton\n" +
            "│       └── build-queue\n" +
            "├── job-index\n" +
            "└── server-pool\n", ActorTree.Render(root));
    }

    [Fact]
    public void Server_show_lists_the_caches_against_their_limits()
    {
        var server = JsonNode.Parse("""
            {"id":"a","caches":{"directory":"/srv/builds/.kfarm-cache","git_bytes":1610612736,"git_limit_bytes":21474836480,
             "repositories":[{"name":"linux-0123456789abcdef.git","bytes":1610612736,"last_used":null}],
             "ccache_bytes":null,"ccache_limit_bytes":5368709120}}
            """)!;
        var lines = ServerView.Show(server).Split('\n');
        Assert.Contains(lines, l => l.StartsWith("git cache", StringComparison.Ordinal) && l.EndsWith("1.5 GiB of 20 GiB", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ccache", StringComparison.Ordinal) && l.EndsWith("? of 5.0 GiB", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("linux-0123456789abcdef.git  1.5 GiB  used never", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("cache directory", StringComparison.Ordinal) && l.EndsWith("/srv/builds/.kfarm-cache", StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_show_lists_members_and_singletons()
    {
        var text = ClusterView.Show(JsonNode.Parse("""
            {"self":"akka.tcp://kernelfarm@127.0.0.1:4051","self_uid":123,"status":"up","leader":"akka.tcp://kernelfarm@127.0.0.1:4051",
             "members":[{"address":"akka.tcp://kernelfarm@127.0.0.1:4051","uid":123,"status":"up","roles":["gateway","worker"],"reachable":true},
                        {"address":"akka.tcp://kernelfarm@127.0.0.1:4052","uid":9,"status":"up","roles":["worker"],"reachable":false}],
             "singletons":{"build-queue":"akka.tcp://kernelfarm@127.0.0.1:4051","server-pool":null}}
            """)!);
        Assert.Contains("self:     akka.tcp://kernelfarm@127.0.0.1:4051", text);
        Assert.Contains("akka.tcp://kernelfarm@127.0.0.1:4052    9  up      worker          no", text);
        Assert.Contains("build-queue  akka.tcp://kernelfarm@127.0.0.1:4051", text);
        Assert.Contains("server-pool  none", text);
    }

    [Fact]
    public void Sharding_lists_shards_per_region_in_numeric_order_with_the_total()
    {
        var text = ClusterView.Sharding(JsonNode.Parse("""
            {"regions":[{"address":"akka.tcp://k@a:1","shards":[{"id":"10","entities":1},{"id":"2","entities":3}]},
                        {"address":"akka.tcp://k@b:2","shards":[]}],"total_entities":4}
            """)!);
        Assert.Equal(
            "REGION            SHARD  ENTITIES\n" +
            "akka.tcp://k@a:1  2             3\n" +
            "akka.tcp://k@a:1  10            1\n" +
            "akka.tcp://k@b:2  -             0\n" +
            "total entities: 4\n", text);
    }

    [Fact]
    public void A_cluster_event_is_one_line()
    {
        var line = ClusterEventLine.Format(new SseEvent("member-up",
            """{"type":"member-up","address":"akka.tcp://kernelfarm@127.0.0.1:4052","status":"up","roles":["worker"],"at":"2026-11-27T08:00:00Z"}""", null));
        Assert.Equal("2026-11-27 08:00:00Z  member-up  akka.tcp://kernelfarm@127.0.0.1:4052  up  [worker]", line);
    }

    [Fact]
    public void The_server_list_shows_address_arches_toolchains_slots_health_and_draining()
    {
        var text = ServerView.List([JsonNode.Parse("""
            {"id":"x86","ip_address":"127.0.0.2","ssh_port":2222,"supported_architectures":["x86_64","i386"],
             "toolchains":[{"name":"gcc-12","target_architectures":["x86_64","i386"],"cross_compile":""}],
             "max_concurrent_jobs":2,"slots_in_use":1,"health":"healthy","draining":false}
            """)!]);
        Assert.Equal(
            "ID   ADDRESS         ARCHES       TOOLCHAINS          SLOTS  HEALTH   DRAINING\n" +
            "x86  127.0.0.2:2222  x86_64,i386  gcc-12:x86_64,i386    1/2  healthy  no\n", text);
    }

    [Fact]
    public void A_failed_job_summary_says_why()
    {
        var job = JsonNode.Parse("""
            {"id":"j1","status":"failed","server_id":"x86","created_at":"2026-11-27T08:00:00Z","updated_at":"2026-11-27T08:01:05Z",
             "failure":{"kind":"build","step":"configuring","exit_code":2,"message":"make exited with 2"}}
            """)!;
        Assert.Equal("job j1 failed in 1m 05s on x86: build failure in configuring, exit code 2: make exited with 2",
            JobView.Summary(job, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_running_job_counts_its_duration_until_now()
    {
        var job = JsonNode.Parse("""{"id":"j","status":"building","created_at":"2026-11-27T08:00:00Z","updated_at":"2026-11-27T08:00:01Z"}""")!;
        Assert.Equal(TimeSpan.FromSeconds(30), JobView.Duration(job, new DateTimeOffset(2026, 11, 27, 8, 0, 30, TimeSpan.Zero)));
    }

    [Fact]
    public void The_last_log_line_is_the_last_complete_non_blank_one_even_across_split_reads()
    {
        var last = new LastLine();
        last.Append("==> kfarm: step building\n  CC  ker"u8);
        Assert.Equal("==> kfarm: step building", last.Value);
        last.Append("nel/fork.o\r\n\n  "u8);
        Assert.Equal("CC  kernel/fork.o", last.Value);
    }

    [Fact]
    public void Without_a_terminal_progress_is_printed_on_state_changes_and_then_only_periodically()
    {
        var output = new StringWriter();
        var progress = new WaitProgress(output, terminal: false, () => 80);
        progress.Show("j", "queued", TimeSpan.FromSeconds(0), null);
        progress.Show("j", "queued", TimeSpan.FromSeconds(5), null);
        progress.Show("j", "building", TimeSpan.FromSeconds(6), "CC a.o");
        progress.Show("j", "building", TimeSpan.FromSeconds(20), "CC b.o");
        progress.Show("j", "building", TimeSpan.FromSeconds(40), "CC c.o");
        Assert.Equal(
            "job j  queued  0s\n" +
            "job j  building  6s  last: CC a.o\n" +
            "job j  building  40s  last: CC c.o\n", output.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void On_a_terminal_progress_redraws_one_line_cut_to_the_width()
    {
        var output = new StringWriter();
        var progress = new WaitProgress(output, terminal: true, () => 40);
        progress.Show("j", "building", TimeSpan.FromSeconds(3), new string('x', 100));
        var drawn = output.ToString();
        Assert.StartsWith("\r\u001b[2K", drawn);
        Assert.DoesNotContain("\n", drawn);
        Assert.Equal(39, drawn["\r\u001b[2K".Length..].Length);
    }
}
