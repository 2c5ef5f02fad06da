using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Series;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>`series submit`'s request body and the refusals that happen before anything is sent (exit 2).</summary>
public sealed class SeriesSpecTests : IDisposable
{
    private const string Base = "0123456789abcdef0123456789abcdef01234567";
    private const string Head = "89abcdef0123456789abcdef0123456789abcdef";
    private const string Mbox = "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\ndiff --git a/x b/x\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("kfarm-series-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly JobSpec Job = new() { Repo = "git://h/linux.git", Arch = "x86_64", KernelConfig = "tinyconfig" };

    private static string NoRead(string path) => throw new InvalidOperationException($"read {path}");

    private static CliException Refused(Action act)
    {
        var e = Assert.Throws<CliException>(act);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        return e;
    }

    [Fact]
    public void An_mbox_series_is_the_job_fields_the_mbox_and_continue_on_failure()
    {
        var body = new SeriesSpec { Job = Job with { Branch = "next", Priority = 5 }, Mbox = "p.mbox", ContinueOnFailure = true }
            .ToRequest(null, path => path == "p.mbox" ? Mbox : NoRead(path));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"source_repository":"git://h/linux.git","branch":"next","target_architecture":"x86_64","priority":5,
             "build_config":{"kernel_config":"tinyconfig"},"mbox":{{JsonValue.Create(Mbox).ToJsonString()}},"continue_on_failure":true}
            """), body), body.ToJsonString());
    }

    [Fact]
    public void A_range_is_sent_in_lower_case_and_without_continue_on_failure_unless_asked()
    {
        var body = new SeriesSpec { Job = Job, Range = $"{Base.ToUpperInvariant()}..{Head}" }.ToRequest(null, NoRead);
        Assert.Equal($"{Base}..{Head}", body["range"]!.GetValue<string>());
        Assert.Null(body["mbox"]);
        Assert.Null(body["continue_on_failure"]);
        Assert.Null(body["no_cache"]); // not a series field: the farm refuses fields it does not know
    }

    [Fact]
    public void Neither_mbox_nor_range_is_refused_before_anything_else()
    {
        Assert.Contains("--mbox FILE (- for stdin) or --range BASE..HEAD", Refused(() => new SeriesSpec().ToRequest(null, NoRead)).Message);
        Assert.Contains("missing the patches", Refused(() => new SeriesSpec { Job = Job }.ToRequest(null, NoRead)).Message);
    }

    [Fact]
    public void Both_mbox_and_range_are_refused_without_reading_the_mbox()
    {
        Assert.Contains("not both", Refused(() => new SeriesSpec { Job = Job, Mbox = "-", Range = $"{Base}..{Head}" }.ToRequest(null, NoRead)).Message);
    }

    [Theory]
    [InlineData(null, "x86_64", "--repo")]
    [InlineData("git://a", null, "--arch")]
    public void A_series_without_repository_or_architecture_is_refused_before_the_mbox_is_read(string? repo, string? arch, string named)
    {
        Assert.Contains(named, Refused(() => new SeriesSpec { Job = new JobSpec { Repo = repo, Arch = arch }, Mbox = "-" }.ToRequest(null, NoRead)).Message);
    }

    [Theory]
    [InlineData("HEAD~3..HEAD")]
    [InlineData("0123456..89abcde")]
    [InlineData(Base + "..." + Head)]
    [InlineData(Base)]
    [InlineData(Base + "..")]
    public void A_range_that_is_not_two_full_commit_ids_is_refused_naming_the_flag(string range)
    {
        var e = Refused(() => new SeriesSpec { Job = Job, Range = range }.ToRequest(null, NoRead));
        Assert.StartsWith($"--range '{range}': expected BASE..HEAD as two full 40-digit commit ids", e.Message);
    }

    [Fact]
    public void The_file_may_hold_the_patches_and_a_patches_flag_replaces_them()
    {
        var file = JsonNode.Parse($$"""
            {"source_repository":"git://a","target_architecture":"arm64","range":"{{Base}}..{{Head}}","continue_on_failure":true}
            """)!.AsObject();
        var fromFile = new SeriesSpec().ToRequest(file, NoRead);
        Assert.Equal($"{Base}..{Head}", fromFile["range"]!.GetValue<string>());
        Assert.True(fromFile["continue_on_failure"]!.GetValue<bool>());

        var replaced = new SeriesSpec { Mbox = "m" }.ToRequest(file, _ => Mbox);
        Assert.Equal(Mbox, replaced["mbox"]!.GetValue<string>());
        Assert.Null(replaced["range"]);
        Assert.NotNull(file["range"]); // the file's object is left as it was

        Assert.Contains("missing the patches", Refused(() => new SeriesSpec().ToRequest(
            JsonNode.Parse("""{"source_repository":"git://a","target_architecture":"arm64","mbox":""}""")!.AsObject(), NoRead)).Message);
        Assert.Contains("both mbox and range", Refused(() => new SeriesSpec().ToRequest(
            JsonNode.Parse($$"""{"source_repository":"git://a","target_architecture":"arm64","mbox":"x","range":"{{Base}}..{{Head}}"}""")!.AsObject(), NoRead)).Message);
    }

    // ---- --mbox FILE | - ------------------------------------------------------------------

    private static Stream NoStdin() => throw new InvalidOperationException("stdin read");

    [Fact]
    public void The_mbox_is_read_from_the_file_as_text()
    {
        var path = Path.Combine(_dir, "series.mbox");
        File.WriteAllText(path, Mbox);
        Assert.Equal(Mbox, MboxInput.Read(path, NoStdin, stdinIsTerminal: true));
    }

    [Fact]
    public void Dash_reads_stdin_unless_it_is_a_terminal()
    {
        Assert.Equal(Mbox, MboxInput.Read("-", () => new MemoryStream(Encoding.UTF8.GetBytes(Mbox)), stdinIsTerminal: false));
        Assert.Contains("stdin is a terminal", Refused(() => MboxInput.Read("-", NoStdin, stdinIsTerminal: true)).Message);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_a_usage_error_naming_it()
    {
        var missing = Path.Combine(_dir, "missing.mbox");
        Assert.StartsWith($"cannot read {missing}: ", Refused(() => MboxInput.Read(missing, NoStdin, false)).Message);
        Assert.StartsWith($"cannot read {_dir}: ", Refused(() => MboxInput.Read(_dir, NoStdin, false)).Message);
    }

    [Fact]
    public void An_empty_a_binary_or_a_too_big_mbox_is_refused()
    {
        Assert.Contains("stdin is empty", Refused(() => MboxInput.Text(Encoding.UTF8.GetBytes(" \n"), "stdin")).Message);
        Assert.Contains("p.mbox is not UTF-8 text", Refused(() => MboxInput.Text([0x46, 0x72, 0xff, 0xfe, 0x0a], "p.mbox")).Message);
        var big = Path.Combine(_dir, "big.mbox");
        File.WriteAllText(big, Mbox + new string('+', MboxInput.MaxBytes));
        Assert.Contains("larger than 512 KiB", Refused(() => MboxInput.Read(big, NoStdin, false)).Message);
        var fits = Mbox + new string('+', MboxInput.MaxBytes - Mbox.Length);
        Assert.Equal(fits, MboxInput.Text(Encoding.UTF8.GetBytes(fits), "fits"));
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_mbox()
    {
        Assert.Equal(Mbox, MboxInput.Text([0xef, 0xbb, 0xbf, .. Encoding.UTF8.GetBytes(Mbox)], "bom.mbox"));
    }
}
