using KernelFarm.Actors.Series;
using Xunit;

namespace KernelFarm.Tests.Series;

/// <summary>The pure pieces of a series report: mbox, diagnostics, config, bloat-o-meter, progress markers.</summary>
public sealed class SeriesParsingTests
{
    private const string TwoPatches = """
        From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
        From: Ada Lovelace <ada@example.org>
        Date: Mon, 1 Jan 2024 12:01:00 +0000
        Subject: [PATCH 1/2] init: a rather long subject that git
         folds onto a second line

        Body.
        ---
         init/main.c | 1 +
        diff --git a/init/main.c b/init/main.c
        --- a/init/main.c
        +++ b/init/main.c
        @@ -1 +1,2 @@
        +#warning x

        From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001
        From: Bob <bob@example.org>
        Subject: [PATCH 2/2] mm: no diff here

        From the body: a line that starts like a separator but follows text.
        -- 
        2.39.2

        """;

    [Fact]
    public void An_mbox_is_split_as_git_mailsplit_does_with_subjects_and_authors()
    {
        var patches = Mbox.Patches(TwoPatches);
        Assert.Equal(2, patches.Count);
        Assert.Equal("[PATCH 1/2] init: a rather long subject that git folds onto a second line", patches[0].Subject);
        Assert.Equal("init: a rather long subject that git folds onto a second line", Mbox.PlainSubject(patches[0].Subject));
        Assert.Equal("Ada Lovelace <ada@example.org>", patches[0].Author);
        Assert.True(patches[0].HasDiff);
        Assert.False(patches[1].HasDiff);
        Assert.Empty(Mbox.Patches("just text\nFrom nowhere in particular\n"));
    }

    [Fact]
    public void Compiler_linker_and_modpost_diagnostics_are_structured_with_paths_relative_to_the_tree()
    {
        var log = """
              CC      init/main.o
            /srv/ws/job-0193abc/source/init/main.c:12:6: warning: unused variable 'x' [-Wunused-variable]
               12 |  int x;
            ../source/kernel/fork.c:3:1: error: expected ';' before '}' token
            In file included from ../source/include/linux/kernel.h:5,
            /usr/include/stdio.h:1:1: fatal error: nope.h: No such file or directory
            ld: warning: creating DT_TEXTREL in a PIE
            WARNING: modpost: vmlinux.o: section mismatch in reference: foo (section: .text) -> bar (section: .init.text)
            make[2]: *** [scripts/Makefile.build:250: kernel/fork.o] Error 1
            """;
        var found = Diagnostic.Parse(log);
        Assert.Equal(5, found.Count);
        Assert.Equal(new Diagnostic("init/main.c", 12, 6, "warning", "-Wunused-variable", "unused variable 'x'"), found[0]);
        Assert.Equal(new Diagnostic("kernel/fork.c", 3, 1, "error", "", "expected ';' before '}' token"), found[1]);
        Assert.Equal("error", found[2].Severity);
        Assert.Equal("/usr/include/stdio.h", found[2].File);
        Assert.Equal(("ld", "warning"), (found[3].File, found[3].Severity));
        Assert.False(found[3].FromCompile);
        Assert.Equal("modpost", found[4].File);
    }

    [Fact]
    public void A_line_shift_is_not_a_change_and_repeats_count()
    {
        var before = Diagnostic.Parse("a.c:10:1: warning: w [-Wx]\nh.h:1:1: warning: hw [-Wy]\nh.h:1:1: warning: hw [-Wy]\n");
        var after = Diagnostic.Parse("a.c:11:1: warning: w [-Wx]\nh.h:1:1: warning: hw [-Wy]\nb.c:2:1: error: e\n");
        var diff = DiagnosticDiff.Between(before, after);
        Assert.Equal("e", Assert.Single(diff.New).Message);
        Assert.Equal("hw", Assert.Single(diff.Fixed).Message);   // one of the header's two went away
        Assert.True(DiagnosticDiff.SameSet(Diagnostic.Parse("a.c:1:1: warning: w [-Wx]\n"), Diagnostic.Parse("a.c:9:9: warning: w [-Wx]\n")));
    }

    [Fact]
    public void A_steps_set_takes_compiles_from_the_objects_and_the_link_from_its_log()
    {
        var objects = "a.c:1:1: warning: kept from an object not recompiled [-Wx]\n";
        var log = "b.c:2:2: warning: printed again by a recompile [-Wx]\nld: warning: link\n";
        var set = DiagnosticDiff.StepSet(objects, log, null);
        Assert.Equal(["kept from an object not recompiled", "link"], set.Select(d => d.Message));
    }

    [Fact]
    public void Config_changes_are_reported_as_diffconfig_does()
    {
        var diff = ConfigDiff.Between("CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\"\nCONFIG_D=m\n", "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=\"y\"\nCONFIG_E=1\n");
        Assert.Equal([new ConfigDiff.Option("E", "1")], diff.Added);
        Assert.Equal([new ConfigDiff.Option("D", "m")], diff.Removed);
        Assert.Equal([new ConfigDiff.Change("B", "n", "y"), new ConfigDiff.Change("C", "\"x\"", "\"y\"")], diff.Changed);
        Assert.True(ConfigDiff.Between("CONFIG_A=y\n", "# comment\nCONFIG_A=y\n").IsEmpty);
    }

    [Fact]
    public void Bloat_o_meter_rows_are_read_biggest_first()
    {
        var output = """
            add/remove: 1/0 grow/shrink: 1/1 up/down: 4160/-8 (4152)
            Function                                     old     new   delta
            kfarm_pad                                      -    4096   +4096
            start_kernel                                 100     164     +64
            Data                                         old     new   delta
            old_fn                                        16       8      -8
            Total: Before=1000, After=5152, chg +415.20%
            """;
        var rows = BloatTable.Parse(output);
        Assert.Equal(["kfarm_pad", "start_kernel", "old_fn"], rows.Select(r => r.Symbol));
        Assert.Equal(new BloatTable.Row("kfarm_pad", null, 4096, 4096), rows[0]);
        Assert.Equal(-8, rows[2].Delta);
    }

    [Fact]
    public void Progress_is_read_from_the_agents_markers_only()
    {
        var log = """
            ==> kfarm: series count 2
            ==> kfarm: series 1 subject init: one
            ==> kfarm: series 0 building
            ==> kfarm: series 0 passed 95
            ==> kfarm: series 1 applying
            ==> kfarm(build): series 1 passed 1
            ==> kfarm: series 1 building
            """;
        var progress = SeriesProgress.Parse(log);
        Assert.Equal(2, progress.Count);
        Assert.Equal(new SeriesProgress.Step("passed", 95, null), progress.Steps[0]);
        Assert.Equal(new SeriesProgress.Step("building", null, "init: one"), progress.Steps[1]);   // the build's own "marker" is neutralised text
        Assert.False(progress.Steps.ContainsKey(2));
    }
}
