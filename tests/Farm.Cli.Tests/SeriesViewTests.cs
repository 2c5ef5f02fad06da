using System.Text.Json.Nodes;
using KernelFarm.Cli.Series;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>How a series reads in `series show` and at the end of `series submit --wait`, and what kfarm exits with.</summary>
public sealed class SeriesViewTests
{
    private const string Warning = """
        {"file":"init/main.c","line":2,"column":2,"severity":"warning","option":"-Wcpp","message":"#warning \"kfarm series test\"","key":{},"from_compile":true}
        """;
    private const string Error = """
        {"file":"init/main.c","line":2,"column":2,"severity":"error","option":"","message":"#error \"kfarm broken\"","key":{},"from_compile":true}
        """;
    private const string NoConfigChange = """{"added":[],"removed":[],"changed":[],"is_empty":true}""";

    /// <summary>A report as the farm serializes SeriesReport: a 3-patch series, continued past a patch that did not build, with boot tests.</summary>
    public static JsonNode Sample(string result = "failed") => JsonNode.Parse($$"""
        {"id":"0197a5f0-0000-7000-8000-0000000000aa","status":"completed","result":"{{result}}","patches":3,"steps":[
          {"step":0,"subject":"base 0123456789ab","author":null,"state":"passed","seconds":41,"warnings":1,"errors":0,
           "new_warnings":[],"fixed_warnings":[],"new_errors":[],"fixed_errors":[],"first_errors":[],
           "size":{"text":1000,"data":200,"bss":30,"total":1230},"size_delta":null,"bloat":[],"config":null,
           "boot":{"status":"pass","duration_s":1.5,"reason":null},"log":"series/000/build.log"},
          {"step":1,"subject":"init: add a warning","author":"Patch Author <author@example.org>","state":"passed","seconds":3,"warnings":2,"errors":0,
           "new_warnings":[{{Warning}}],"fixed_warnings":[],"new_errors":[],"fixed_errors":[],"first_errors":[],
           "size":{"text":1100,"data":228,"bss":30,"total":1358},"size_delta":{"text":100,"data":28,"bss":0,"total":128},
           "bloat":[{"symbol":"start_kernel","old":10,"new":110,"delta":100}],"config":{{NoConfigChange}},
           "boot":{"status":"pass","duration_s":1.4,"reason":null},"log":"series/001/build.log"},
          {"step":2,"subject":"init: break the build with a subject long enough to be cut in the table","author":"Patch Author <author@example.org>",
           "state":"build-failed","seconds":2,"warnings":2,"errors":1,
           "new_warnings":[],"fixed_warnings":[],"new_errors":[{{Error}}],"fixed_errors":[],"first_errors":[{{Error}}],
           "size":null,"size_delta":null,"bloat":[],"config":null,"boot":null,"log":"series/002/build.log"},
          {"step":3,"subject":"init: fix it and drop the warning","author":"Patch Author <author@example.org>","state":"passed","seconds":75,"warnings":1,"errors":0,
           "new_warnings":[],"fixed_warnings":[{{Warning}}],"new_errors":[],"fixed_errors":[{{Error}}],"first_errors":[],
           "size":{"text":1000,"data":200,"bss":30,"total":1230},"size_delta":{"text":-100,"data":-28,"bss":0,"total":-128},"bloat":[],
           "config":{"added":[{"name":"FAKE_NEW","value":"y"}],"removed":[],"changed":[],"is_empty":false},
           "boot":{"status":"fail","duration_s":30.0,"reason":"no login prompt"},"log":"series/003/build.log"}]}
        """)!;

    [Fact]
    public void The_table_has_a_row_per_step_with_its_changes_against_the_step_before()
    {
        Assert.Equal(
            "STEP    SUBJECT                                             STATE           TIME  WARNINGS  ERRORS  SIZE  CONFIG  BOOT\n" +
            "[base]  base 0123456789ab                                   passed           41s         1       0     -  -       pass\n" +
            "[1/3]   init: add a warning                                 passed            3s     +1/-0   +0/-0  +128  no      pass\n" +
            "[2/3]   init: break the build with a subject long enough …  build-failed      2s     +0/-0   +1/-0     -  -       -\n" +
            "[3/3]   init: fix it and drop the warning                   passed        1m 15s     +0/-1   +0/-1  -128  yes     fail\n",
            SeriesView.Table(Sample()));
    }

    [Fact]
    public void The_diagnostics_of_each_step_that_changed_them_are_listed_as_file_line_message_option()
    {
        Assert.Equal(
            "[1/3] init: add a warning\n" +
            "  new warning: init/main.c:2: #warning \"kfarm series test\" [-Wcpp]\n" +
            "[2/3] init: break the build with a subject long enough to be cut in the table\n" +
            "  error: init/main.c:2: #error \"kfarm broken\"\n" +          // its first errors; the same new error is not listed twice
            "[3/3] init: fix it and drop the warning\n" +
            "  fixed warning: init/main.c:2: #warning \"kfarm series test\" [-Wcpp]\n" +
            "  fixed error: init/main.c:2: #error \"kfarm broken\"\n",
            SeriesView.Diagnostics(Sample()));
    }

    [Fact]
    public void Show_is_the_table_the_diagnostics_and_the_summary()
    {
        var text = SeriesView.Show(Sample());
        Assert.StartsWith(SeriesView.Table(Sample()) + "\n" + SeriesView.Diagnostics(Sample()) + "\n", text);
        Assert.EndsWith("\nseries 0197a5f0-0000-7000-8000-0000000000aa failed: 3 patches; [2/3] build-failed\n", text);
    }

    [Fact]
    public void A_diagnostic_without_a_line_or_option_reads_as_the_farm_writes_it()
    {
        Assert.Equal("ld: creating DT_TEXTREL in a PIE",
            SeriesView.Describe(JsonNode.Parse("""{"file":"ld","line":0,"column":0,"severity":"warning","option":"","message":"creating DT_TEXTREL in a PIE"}""")!));
        Assert.Equal("just a message", SeriesView.Describe(JsonNode.Parse("""{"message":"just a message"}""")!));
    }

    [Fact]
    public void A_series_still_running_shows_dashes_where_nothing_is_known_and_the_step_being_built()
    {
        var running = JsonNode.Parse("""
            {"id":"s1","status":"building","result":"running","patches":2,"steps":[
              {"step":0,"subject":"master","state":"passed","seconds":40,"warnings":0,"errors":0,"new_warnings":[],"fixed_warnings":[],"new_errors":[],"fixed_errors":[],"first_errors":[]},
              {"step":1,"subject":"a: one","state":"building","seconds":null,"warnings":null,"errors":null,"new_warnings":[],"fixed_warnings":[],"new_errors":[],"fixed_errors":[],"first_errors":[]},
              {"step":2,"subject":"a: two","state":"pending","new_warnings":[],"fixed_warnings":[],"new_errors":[],"fixed_errors":[],"first_errors":[]}]}
            """)!;
        Assert.Equal(
            "STEP    SUBJECT  STATE     TIME  WARNINGS  ERRORS  SIZE  CONFIG  BOOT\n" +
            "[base]  master   passed     40s         0       0     -  -       -\n" +
            "[1/2]   a: one   building     -         -       -     -  -       -\n" +
            "[2/2]   a: two   pending      -         -       -     -  -       -\n",
            SeriesView.Table(running));
        Assert.Equal("", SeriesView.Diagnostics(running));
        Assert.Equal("series s1 running: 2 patches; [1/2] building", SeriesView.Summary(running));
        var queued = JsonNode.Parse("""{"id":"s2","status":"queued","result":"running","patches":null,"steps":[{"step":0,"subject":"master","state":"pending"}]}""")!;
        Assert.Equal("series s2 running: patches not counted yet; queued", SeriesView.Summary(queued));
    }

    [Fact]
    public void Once_accepted_it_says_the_id_the_state_and_the_patches_as_jobs_submit_does()
    {
        Assert.Equal("series s1 queued: 3 patches", SeriesView.Accepted(JsonNode.Parse("""{"id":"s1","status":"queued","result":"running","patches":3,"steps":[]}""")!));
        Assert.Equal("series s1 queued: 1 patch", SeriesView.Accepted(JsonNode.Parse("""{"id":"s1","status":"queued","patches":1}""")!));
        Assert.Equal("series s2 queued", SeriesView.Accepted(JsonNode.Parse("""{"id":"s2","status":"queued","patches":null}""")!));
    }

    [Theory]
    [InlineData("passed", true, ExitCodes.Ok)]
    [InlineData("failed", true, ExitCodes.Failure)]
    [InlineData("cancelled", true, ExitCodes.Failure)]
    [InlineData("running", false, ExitCodes.Failure)]
    public void Only_a_passed_series_exits_0_and_a_failed_or_cancelled_one_exits_as_a_failed_job_does(string result, bool ended, int exit)
    {
        var report = Sample(result);
        Assert.Equal(exit, SeriesOutcome.ExitCode(report));
        Assert.Equal(ended, SeriesOutcome.HasEnded(report));
        Assert.False(SeriesOutcome.HasEnded(JsonNode.Parse("{}")));
    }
}
