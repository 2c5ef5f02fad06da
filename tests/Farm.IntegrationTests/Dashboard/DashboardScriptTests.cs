using System.Text.Json;
using KernelFarm.IntegrationTests.Browser;
using KernelFarm.IntegrationTests.Farm;
using Microsoft.Playwright;
using Xunit;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's pure functions (its server-sent-events parser, log classification, error-to-field
/// mapping, step timeline, number formats) run in Chromium as the page loads them: ES modules from
/// the host, no build step and no other JavaScript engine.
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class DashboardScriptTests(ChromiumFixture chromium, FarmFixture fixture) : IClassFixture<ChromiumFixture>, IClassFixture<FarmFixture>
{
    private Uri Dashboard => new(fixture.Env.Farm.Http.BaseAddress!, "dashboard/");

    /// <summary>Loads the sign-in page and evaluates <paramref name="script"/> (an async arrow function) in it.</summary>
    private async Task<JsonElement> EvalAsync(string script)
    {
        JsonElement result = default;
        await chromium.RunAsync(Dashboard, async b =>
        {
            await b.Page.GotoAsync("./");
            await Assertions.Expect(b.Page.GetByLabel("API token")).ToBeVisibleAsync();
            result = await b.Page.EvaluateAsync<JsonElement>(script);
            b.AssertNoErrors();
        });
        return result;
    }

    [Fact]
    public async Task The_event_stream_parser_gives_the_same_events_however_the_bytes_are_split()
    {
        // ids, multi-line data, CRLF and lone CR line ends, a comment, an event type, a field without a colon
        var r = await EvalAsync("""
            async () => {
              const { sseParser } = await import('./js/api.js');
              const stream = 'id: 10\nevent: log\ndata: line one\ndata: line two\n\n: keep-alive\n\r\n' +
                             'id: 25\r\nevent: log\r\ndata:no space\r\n\r\nevent: end\rdata: {"status":"completed"}\r\rdata\n\n';
              const all = (chunks) => { const p = sseParser(); return chunks.flatMap(c => p.feed(c)); };
              const whole = all([stream]);
              const splits = [];
              for (let i = 1; i < stream.length; i++) splits.push(JSON.stringify(all([stream.slice(0, i), stream.slice(i)])));
              const bytes = JSON.stringify(all([...stream]));
              return { whole, sameAtEverySplit: splits.every(s => s === JSON.stringify(whole)), sameByteByByte: bytes === JSON.stringify(whole) };
            }
            """);
        Assert.True(r.GetProperty("sameAtEverySplit").GetBoolean());
        Assert.True(r.GetProperty("sameByteByByte").GetBoolean());
        var events = r.GetProperty("whole").EnumerateArray().Select(e => (
            e.GetProperty("event").GetString(), e.GetProperty("data").GetString(), e.GetProperty("id").ValueKind == JsonValueKind.Null ? null : e.GetProperty("id").GetString())).ToList();
        Assert.Equal([
            ("log", "line one\nline two", "10"),
            ("log", "no space", "25"),
            ("end", "{\"status\":\"completed\"}", "25"),
            ("message", "", "25"),
        ], events);
    }

    [Fact]
    public async Task Log_lines_are_classified_as_errors_and_warnings_the_way_kbuild_writes_them()
    {
        var r = await EvalAsync("""
            async () => {
              const { classifyLine } = await import('./js/logview.js');
              return [
                'drivers/x.c:12:5: error: expected ; before }',
                'fs/y.c:3:1: fatal error: z.h: No such file or directory',
                'make[2]: *** [scripts/Makefile.build:250: drivers/x.o] Error 1',
                'ld: vmlinux.o: undefined reference to `foo\'',
                'drivers/x.c:40:9: warning: unused variable ‘i’ [-Wunused-variable]',
                '  CC      drivers/x.o',
                '==> kfarm: step building',
                'CONFIG_ERROR_INJECTION=y',
              ].map(classifyLine);
            }
            """);
        Assert.Equal(["error", "error", "error", "error", "warning", null, null, null],
            r.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()));
    }

    [Fact]
    public async Task An_API_error_goes_to_the_input_its_field_names_or_to_that_inputs_list()
    {
        var r = await EvalAsync("""
            async () => {
              const { fieldFor } = await import('./js/pages/submit.js');
              const fields = ['build_config', 'build_config.custom_env', 'build_config.kconfig_fragments', 'source_repository'].map(name => ({ name }));
              return ['build_config.custom_env.CC', 'build_config.kconfig_fragments[2]', 'source_repository', 'build_config.workspace_root', 'request', null]
                .map(f => fieldFor(fields, f)?.name ?? null);
            }
            """);
        Assert.Equal(["build_config.custom_env", "build_config.kconfig_fragments", "source_repository", "build_config", null, null],
            r.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()));
    }

    [Fact]
    public async Task The_step_timeline_and_durations_come_from_the_transitions()
    {
        var r = await EvalAsync("""
            async () => {
              const f = await import('./js/format.js');
              const t = (s) => new Date(Date.UTC(2026, 10, 27, 8, 0, s)).toISOString();
              const running = { status: 'building', transitions: [
                { status: 'queued', at: t(0) }, { status: 'assigned', at: t(5) }, { status: 'building', at: t(20) } ] };
              const now = Date.parse(t(50));
              const done = { status: 'failed', transitions: [...running.transitions, { status: 'failed', at: t(80) }] };
              return {
                steps: f.steps(running, now).map(s => [s.status, s.seconds, s.current]),
                runningFor: f.jobDuration(running, now),
                ranFor: f.jobDuration(done, now),
                queuedOnly: f.jobDuration({ status: 'queued', transitions: [{ status: 'queued', at: t(0) }] }, now),
                texts: [f.duration(4.25), f.duration(75.2), f.duration(3700), f.bytes(1536), f.bytes(5 * 1024 ** 3)],
              };
            }
            """);
        Assert.Equal("[[\"queued\",5,false],[\"assigned\",15,false],[\"building\",30,true]]", r.GetProperty("steps").GetRawText());
        Assert.Equal(45, r.GetProperty("runningFor").GetDouble());
        Assert.Equal(75, r.GetProperty("ranFor").GetDouble());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("queuedOnly").ValueKind);
        Assert.Equal(["4.3 s", "1 min 15 s", "1 h 1 min", "1.5 KiB", "5.0 GiB"], r.GetProperty("texts").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_servers_toolchains_are_listed_once_per_compiler_and_version_with_their_architectures()
    {
        var r = await EvalAsync("""
            async () => {
              const { toolchainList } = await import('./js/pages/servers.js');
              const detected = { detected_toolchains: [
                { name: 'gcc-12', version: '12', target_architectures: ['x86_64', 'i386'] },
                { name: 'gcc-12', version: '12', target_architectures: ['arm64'] },
                { name: 'clang-14', version: '14.0.6', target_architectures: ['x86_64'] } ], toolchains: [] };
              const declared = { detected_toolchains: null, toolchains: [{ name: 'gcc', target_architectures: ['riscv64'] }] };
              return [toolchainList(detected), toolchainList(declared)];
            }
            """);
        Assert.Equal("[[\"gcc-12 12 (x86_64, i386, arm64)\",\"clang-14 14.0.6 (x86_64)\"],[\"gcc (riscv64)\"]]", r.GetRawText());
    }

    [Fact]
    public async Task A_plans_matrix_has_a_row_per_architecture_and_a_column_per_config_in_the_plans_order()
    {
        var text = await EvalAsync("""
            async () => {
              const { planMatrix } = await import('./js/planMatrix.js');
              const b = (index, target_arch, toolchain, kconfig, state) => ({ index, target_arch, toolchain, kconfig, state });
              const shape = (m) => ({ columns: m.columns.map(c => c.key),
                rows: m.rows.map(r => [r.arch, ...r.cells.map(c => c.builds.map(x => x.index).join(',') || '-')]) });
              const one = planMatrix({ builds: [
                b(0, 'x86_64', 'gcc-12', ['tinyconfig'], 'completed'),
                b(1, 'x86_64', 'gcc-12', ['tinyconfig', 'CONFIG_FAKE_BROKEN=y'], 'failed'),
                b(2, 'arm64', 'gcc-12', ['tinyconfig'], 'completed'),
                b(3, 'powerpc', 'gcc-12', ['ppc64_defconfig'], 'unsupported'),
                b(4, 'arm64', 'gcc-12', ['tinyconfig'], 'running') ] });
              const two = planMatrix({ builds: [
                b(0, 'x86_64', 'gcc-12', ['defconfig'], 'completed'),
                b(1, 'x86_64', 'clang-14', ['defconfig'], 'completed'),
                b(2, 'arm64', 'clang-14', [], 'queued') ] });
              // as text: the object's JSON exactly (Playwright may tag returned objects with $id)
              return JSON.stringify({ one: shape(one), two: shape(two), empty: shape(planMatrix({ builds: [] })) });
            }
            """);
        var r = JsonDocument.Parse(text.GetString()!).RootElement;
        // one toolchain: the config alone; the same pair twice shares its cell; a missing pair is empty
        Assert.Equal("""{"columns":["tinyconfig","tinyconfig+CONFIG_FAKE_BROKEN=y","ppc64_defconfig"],"rows":[["x86_64","0","1","-"],["arm64","2,4","-","-"],["powerpc","-","-","3"]]}""",
            r.GetProperty("one").GetRawText());
        // several toolchains: toolchain:config; no kconfig is the farm's default, defconfig
        Assert.Equal("""{"columns":["gcc-12:defconfig","clang-14:defconfig"],"rows":[["x86_64","0","1"],["arm64","-","2"]]}""",
            r.GetProperty("two").GetRawText());
        Assert.Equal("""{"columns":[],"rows":[]}""", r.GetProperty("empty").GetRawText());
    }

    /// <summary>
    /// The page decides from a job alone whether it has ended (it renders on every poll, before the
    /// catalog answers); its set must be the farm's own: the states whose catalog entry is final.
    /// </summary>
    [Fact]
    public async Task The_pages_final_states_are_the_farms()
    {
        var r = await EvalAsync("async () => { const { TERMINAL } = await import('./js/format.js'); return [...TERMINAL].sort(); }");
        var farms = Enum.GetValues<KernelFarm.Messages.Jobs.JobStatus>()
            .Where(KernelFarm.Messages.Jobs.JobStatusExtensions.IsTerminal)
            .Select(s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString())).Order(StringComparer.Ordinal);
        Assert.Equal(farms, r.EnumerateArray().Select(e => e.GetString()!));
    }
}
