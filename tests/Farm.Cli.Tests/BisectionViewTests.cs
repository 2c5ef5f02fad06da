using System.Text.Json.Nodes;
using KernelFarm.Cli.Bisect;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>How a bisection reads in `bisect show`, at the end of `bisect start --wait` and after `bisect cancel`.</summary>
public sealed class BisectionViewTests
{
    public const string Good = "054d9599a3a262cc9884ebf6499dd1ee6ed38a5f";
    public const string Bad = "ad5c97c80271276bf2a858e219c0d1943fd9b633";
    public const string Breaking = "2d419892a040ce8bfa387560ff37a4a63040ff95";
    public const string Two = "594304fae28725d1a419b52614e4cae037121153";
    private const string Author = "Patch Author <author@example.org>";

    public static string Commit(int index, string sha, string subject, string author = Author) =>
        $$"""{"index":{{index}},"sha":"{{sha}}","author":"{{author}}","subject":"{{subject}}"}""";

    public static string Step(int step, int round, string role, int? index, string? commit, string state, string? verdict, string? detail,
        string excerpt = "[]", double? seconds = null, string? server = "x86", bool reused = false) => new JsonObject
    {
        ["step"] = step, ["round"] = round, ["role"] = role, ["index"] = index, ["commit"] = commit is null ? null : JsonNode.Parse(commit),
        ["job_id"] = $"job-{step}", ["state"] = state, ["verdict"] = verdict, ["detail"] = detail, ["excerpt"] = JsonNode.Parse(excerpt),
        ["duration_s"] = seconds, ["server"] = server, ["reused"] = reused,
    }.ToJsonString();

    private const string Excerpt = """["init/main.c:2:2: error: #error \"kfarm bisect\""]""";

    /// <summary>The view a real farm answered for a 6-commit bisection that found the #error commit (CliBisectTests), trimmed of defaults.</summary>
    public static JsonNode Found() => JsonNode.Parse($$$"""
        {"id":"b1","state":"ended","result":"found","message":"{{{Breaking}}} is the first bad commit",
         "source_repository":"git://farm.test/linux.git","branch":"bisect-found","good":"{{{Good}}}","bad":"{{{Bad}}}",
         "target_architecture":"x86_64","toolchain":"gcc-12","build_config":{"kernel_config":"tinyconfig","kconfig_fragments":[],"custom_env":{}},
         "criterion":{"kind":"build_fails","match":null,"threshold_bytes":null},"max_parallel":null,"submitted_by":"test-operator",
         "created_at":"2026-12-07T21:10:00.7482835+00:00","ended_at":"2026-12-07T21:10:17.1055013+00:00","cancel_requested":false,"duration_s":16.4,
         "good_commit":{{{Commit(0, Good, "Linux 6.1-fake", "KernelFarm Tests <tests@kernelfarm.invalid>")}}},
         "bad_commit":{{{Commit(6, Bad, "docs: five")}}},"commits":6,"first_bad":{{{Commit(3, Breaking, "init: break the build")}}},
         "candidates":[],"excerpt":{{{Excerpt}}},"window":{"first":3,"last":3,"count":1},
         "rounds":[{"round":0,"window":{"first":1,"last":6,"count":6},"steps":[]},{"round":1,"window":{"first":1,"last":6,"count":6},"steps":[1,2]},
                   {"round":2,"window":{"first":1,"last":3,"count":3},"steps":[3]},{"round":3,"window":{"first":3,"last":3,"count":1},"steps":[4]}],
         "builds":4,"steps":[
          {{{Step(0, 0, "list", null, null, "completed", "good", "6 first-parent commits after the good one", seconds: 1.7)}}},
          {{{Step(1, 1, "good", 0, Commit(0, Good, "Linux 6.1-fake", "KernelFarm Tests <tests@kernelfarm.invalid>"), "completed", "good", "the build passed", seconds: 4.4)}}},
          {{{Step(2, 1, "bad", 6, Commit(6, Bad, "docs: five"), "failed", "bad", "the build failed (building)", Excerpt, 2.5)}}},
          {{{Step(3, 2, "probe", 3, Commit(3, Breaking, "init: break the build"), "failed", "bad", "the build failed (building)", Excerpt, 2.1)}}},
          {{{Step(4, 3, "probe", 2, Commit(2, Two, "docs: two"), "completed", "good", "the build passed", seconds: 64.1, reused: true)}}}],
         "webhook_deliveries":[]}
        """)!;

    [Fact]
    public void The_details_say_the_outcome_what_was_bisected_the_first_bad_commit_in_full_and_the_lines_that_show_it()
    {
        Assert.Equal(
            "bisection:  b1\n" +
            "state:      ended, found\n" +
            $"message:    {Breaking} is the first bad commit\n" +
            "repository: git://farm.test/linux.git (branch bisect-found)\n" +
            "build:      x86_64, gcc-12, tinyconfig\n" +
            "criterion:  build_fails\n" +
            "good:       #0 054d9599a3a2 Linux 6.1-fake\n" +
            "bad:        #6 ad5c97c80271 docs: five\n" +
            "commits:    6 after the good one\n" +
            $"first bad:  #3 {Breaking}\n" +
            "            init: break the build\n" +
            "            Patch Author <author@example.org>\n" +
            "excerpt:    init/main.c:2:2: error: #error \"kfarm bisect\"\n" +
            "window:     #3 (1 suspect)\n" +
            "builds:     4\n" +
            "duration:   16s\n",
            BisectionView.Details(Found()));
    }

    [Fact]
    public void The_table_has_a_row_per_step_with_its_commit_verdict_time_server_and_job()
    {
        Assert.Equal(
            "STEP  ROUND  ROLE   COMMIT                                 VERDICT         TIME  SERVER  JOB\n" +
            "   0      0  list   -                                      good              1s  x86     job-0\n" +
            "   1      1  good   #0 054d9599a3a2 Linux 6.1-fake         good              4s  x86     job-1\n" +
            "   2      1  bad    #6 ad5c97c80271 docs: five             bad               2s  x86     job-2\n" +
            "   3      2  probe  #3 2d419892a040 init: break the build  bad               2s  x86     job-3\n" +
            "   4      3  probe  #2 594304fae287 docs: two              good, reused  1m 04s  x86     job-4\n",
            BisectionView.Table(Found()));
    }

    [Fact]
    public void Show_is_the_details_the_table_why_steps_were_bad_and_the_summary()
    {
        var found = Found();
        Assert.Equal(
            BisectionView.Details(found) + "\n" + BisectionView.Table(found) + "\n" +
            "step 2 bad end #6 ad5c97c80271 docs: five: bad — the build failed (building)\n" +
            "step 3 #3 2d419892a040 init: break the build: bad — the build failed (building)\n" +
            "\nbisection b1 found: #3 2d419892a040 init: break the build is the first bad commit\n",
            BisectionView.Show(found));
    }

    [Fact]
    public void A_skipped_step_shows_why_with_its_log_lines_and_an_ambiguous_end_lists_the_candidates()
    {
        const string skipped = """["init/main.c:1:1: error: fake compile error"]""";
        var view = JsonNode.Parse($$"""
            {"id":"b2","state":"ended","result":"ambiguous","message":"there are only skipped commits left to test: the first bad commit could be any of 2",
             "criterion":{"kind":"build_fails","match":"kfarm"},"first_bad":null,
             "candidates":[{{Commit(2, Two, "docs: two")}},{{Commit(3, Breaking, "init: break the build")}}],
             "window":{"first":2,"last":3,"count":2},"steps":[
              {{Step(3, 2, "probe", 2, Commit(2, Two, "docs: two"), "failed", "skip", "the build failed for another reason (building)", skipped)}}]}
            """)!;
        var details = BisectionView.Details(view);
        Assert.Contains("criterion:  build_fails matching \"kfarm\"\n", details);
        Assert.Contains("candidates: #2 594304fae287 docs: two\n            #3 2d419892a040 init: break the build\n", details);
        Assert.Contains("window:     #2…#3 (2 suspects)\n", details);
        Assert.DoesNotContain("first bad:", details);
        Assert.Equal(
            "step 3 #2 594304fae287 docs: two: skip — the build failed for another reason (building)\n" +
            "  init/main.c:1:1: error: fake compile error\n",
            BisectionView.Reasons(view));
        Assert.Equal("bisection b2 ambiguous: there are only skipped commits left to test: the first bad commit could be any of 2",
            BisectionView.Summary(view));
    }

    [Fact]
    public void Ends_that_are_wrong_leave_no_window_to_show_and_the_summary_is_the_farms_message()
    {
        // what the farm answers when the good end fails too: the window (1, 0), no suspect
        var view = JsonNode.Parse("""
            {"id":"b3","state":"ended","result":"ends_wrong","message":"the good commit 2d419892a040 already fails the criterion: the build failed (building)",
             "window":{"first":1,"last":0,"count":0},"steps":[]}
            """)!;
        Assert.DoesNotContain("window", BisectionView.Details(view));
        Assert.Equal("bisection b3 ends_wrong: the good commit 2d419892a040 already fails the criterion: the build failed (building)", BisectionView.Summary(view));
    }

    [Fact]
    public void While_it_runs_the_summary_says_the_state_the_round_the_suspects_and_the_builds_running()
    {
        var running = JsonNode.Parse($$"""
            {"id":"b4","state":"bisecting","result":null,"message":null,"window":{"first":1,"last":3,"count":3},
             "rounds":[{"round":0,"steps":[]},{"round":1,"steps":[1,2]},{"round":2,"steps":[3,4]}],"steps":[
              {{Step(0, 0, "list", null, null, "completed", "good", "3 first-parent commits after the good one")}},
              {{Step(1, 1, "good", 0, null, "completed", "good", "the build passed")}},
              {{Step(2, 1, "bad", 6, null, "failed", "bad", "the build failed")}},
              {{Step(3, 2, "probe", 1, null, "building", null, null)}},
              {{Step(4, 2, "probe", 2, null, "queued", null, null)}},
              {{Step(5, 2, "probe", 3, null, "pending", null, null)}}]}
            """)!;
        Assert.Equal("bisection b4 bisecting: round 2, #1…#3 (3 suspects), 2 builds running", BisectionView.Summary(running));
        Assert.Matches(@"\n +3 +2 +probe +#1 +building +- +x86 +job-3\n +4 +2 +probe +#2 +queued +- ", BisectionView.Table(running));

        var listing = JsonNode.Parse("""{"id":"b5","state":"listing","good":"v6.1","bad":"HEAD","rounds":[],"window":null,"steps":[]}""")!;
        Assert.Equal("bisection b5 listing: v6.1..HEAD", BisectionView.Summary(listing));
        Assert.Equal("bisection b6 checking ends: round 1, #1…#6 (6 suspects)", BisectionView.Summary(JsonNode.Parse(
            """{"id":"b6","state":"checking_ends","window":{"first":1,"last":6,"count":6},"rounds":[{"round":0},{"round":1}],"steps":[]}""")!));
    }

    [Fact]
    public void A_cancelled_bisection_is_summed_up_without_repeating_the_farms_message()
    {
        Assert.Equal("bisection b7 cancelled", BisectionView.Summary(JsonNode.Parse(
            """{"id":"b7","state":"ended","result":"cancelled","message":"cancelled","steps":[]}""")!));
        var requested = BisectionView.Details(JsonNode.Parse("""{"id":"b8","state":"bisecting","cancel_requested":true,"steps":[]}""")!);
        Assert.Contains("state:     bisecting (cancel requested)\n", requested);
    }

    [Fact]
    public void Once_started_it_says_the_id_the_ends_and_the_criterion()
    {
        Assert.Equal("bisection b1 started: good v6.1, bad HEAD, criterion size_grows by more than 4096 bytes", BisectionView.Accepted(JsonNode.Parse(
            """{"id":"b1","state":"listing","good":"v6.1","bad":"HEAD","criterion":{"kind":"size_grows","match":null,"threshold_bytes":4096},"steps":[]}""")!));
        Assert.Equal("diagnostic matching \"-Wcpp\"", BisectionView.Criterion(JsonNode.Parse("""{"kind":"diagnostic","match":"-Wcpp"}""")));
        Assert.Null(BisectionView.Criterion(null));
    }

    [Fact]
    public void The_ends_show_the_name_asked_for_beside_the_commit_it_resolved_to()
    {
        var view = JsonNode.Parse($$"""
            {"id":"b9","state":"bisecting","good":"v6.1","bad":"{{Bad[..7]}}","good_commit":{{Commit(0, Good, "Linux 6.1")}},
             "bad_commit":{{Commit(6, Bad, "docs: five")}},"steps":[]}
            """)!;
        var details = BisectionView.Details(view);
        Assert.Contains("good:      v6.1: #0 054d9599a3a2 Linux 6.1\n", details);
        Assert.Contains("bad:       #6 ad5c97c80271 docs: five\n", details); // a commit id the sha starts with is not repeated
        Assert.Contains("good:      v6.1\n", BisectionView.Details(JsonNode.Parse("""{"id":"b9","state":"listing","good":"v6.1","steps":[]}""")!));
    }

    [Fact]
    public void A_view_missing_fields_reads_as_dashes_not_as_an_exception()
    {
        var sparse = JsonNode.Parse("""{"id":"b10","steps":[{"step":0},{"role":"probe","index":"x","commit":[]}]}""")!;
        Assert.Equal("bisection b10 unknown", BisectionView.Summary(sparse));
        Assert.StartsWith("bisection: b10\nstate:     unknown\n", BisectionView.Details(sparse));
        Assert.Equal(3, BisectionView.Table(sparse).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
