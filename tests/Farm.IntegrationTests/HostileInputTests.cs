using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using static KernelFarm.IntegrationTests.Farm.Hostile;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Hostile input against the real farm (real host process, real sshd build servers on this machine):
/// every hostile value is refused with a 400 naming its field before anything reaches a shell, git or
/// make; valid values full of shell metacharacters reach the build quoted and are never executed;
/// server registration and the job routes refuse hostile input the same way.
/// Canary files under /tmp prove that nothing was executed: the build servers are loopback sshd's on
/// this machine, so a command run by a build would create the canary here.
/// </summary>
public sealed class HostileInputTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private const string JobsUrl = "api/v1/infrastructure/build-jobs";
    private const string ServersUrl = "api/v1/infrastructure/build-servers";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    // ================================================================ 1. hostile values in every string field

    /// <summary>Shell injection attempts, tried in every string field of a job request.</summary>
    private static readonly string[] Injections =
    [
        "; touch {canary}",
        "x;touch {canary}",
        "$(touch {canary})",
        "`touch {canary}`",
        "x{LF}touch {canary}",
        "x{CR}{LF}touch {canary}",
        "x' ; touch {canary} ; '",
        "x\" ; touch {canary} ; \"",
        "'",
        "\"",
        "x|touch {canary}",
        "x&&touch {canary}",
        "x > {canary}",
        "x{NUL}y",
        "../../etc",
        "--upload-pack=touch {canary}",
        "--upload-pack=/tmp/x",
        "-oProxyCommand=touch {canary}",
        "-oProxyCommand=touch${IFS}{canary}",
    ];

    /// <summary>Field-specific hostile values, on top of <see cref="Injections"/>.</summary>
    private static readonly (string Field, string[] Values)[] Specific =
    [
        ("source_repository", [
            "/etc",                                 // a bare absolute path, not a URL
            "etc/passwd",                           // a bare relative path
            "file://etc/passwd",                    // a file URL with a relative path
            "file:///tmp/../etc",
            "ext::sh -c touch% {canary}",           // git's command transport
            "ext::touch{canary}",
            "fd::17",
            "ssh://-oProxyCommand=touch{canary}/x",
            "ssh://host/-oProxyCommand=x",
            "git@host:-oProxyCommand=x",
            "-u/tmp/x",
            "https://example.org/x?$(id)",
            "https://example.org/x y",
        ]),
        ("branch", [
            "/etc/passwd", "-b", "--orphan=x", "refs/../../x", "HEAD~1", "@{-1}", "x.lock", "master:x", "a..b", ".hidden",
        ]),
        ("commit_hash", ["HEAD~1", "HEAD^", "--all", "-x", "abc", "@{u}", "0123456;x", "HEAD{LF}"]),
        ("target_architecture", ["x86_64{LF}touch {canary}", "x86_64;arm", "/etc/passwd", "-x", "x86_64 "]),
        ("toolchain", ["gcc-12; touch {canary}", "gcc-12{LF}", "/usr/bin/gcc", "../../gcc", "-gcc", "gcc-12 -v"]),
        ("build_config.kernel_config", [
            "/etc/passwd",                          // absolute where a relative in-tree path is expected
            "../../etc/passwd",
            "arch/../../../etc/passwd",
            "-oconfig",
            "defconfig; touch {canary}",
            "defconfig{LF}touch {canary}",
            "O=/tmp/config",
            "arch/x86/configs/x86_64_defconfig $(touch {canary})",
        ]),
        ("build_config.kconfig_fragments[0]", [
            "/etc/passwd",
            "../../etc/passwd",
            "kernel/../../../etc/x.config",
            "-x.config",
            "CONFIG_X=\"$(touch {canary})\"",
            "CONFIG_X=\"`touch {canary}`\"",
            "CONFIG_X=y{LF}touch {canary}",
            "CONFIG_X=y; touch {canary}",
            "CONFIG_X=\"a\"b\"",
            "CONFIG_X=\"a\\\"",
        ]),
        ("build_config.extra_make_args[0]", [
            "O=/tmp/x", "o=/tmp/x", "ARCH=arm", "arch=arm", "CROSS_COMPILE=x", "KBUILD_OUTPUT=/tmp/x",
            "INSTALL_MOD_PATH=/tmp/x", "LLVM=1", "CC=touch", "SHELL=/bin/sh", "CONFIG_SHELL=/bin/sh",
            "MAKEFLAGS=--eval=x", "GNUMAKEFLAGS=--eval=x", "MAKEFILES=/tmp/x",
            "-C /", "-C/", "-f/etc/passwd", "--file=/etc/passwd", "-I/tmp", "-e", "-n",
            "--eval=$(shell touch {canary})",
            "KCFLAGS=$(shell touch {canary})",
            "KCFLAGS=${shell touch {canary}}",
            "KCFLAGS=`touch {canary}`",
            "KCFLAGS=a{LF}b",
            "V=1 $(touch {canary})", "W=1;touch {canary}", "-j1;touch {canary}", "-j0", "-j99999",
            "vmlinux{LF}touch {canary}", "./vmlinux", "/tmp/x",
        ]),
        // custom_env: the payload is the KEY (the value is harmless)
        ("build_config.custom_env", [
            "A;B", "PATH", "LD_PRELOAD", "1X", "path", "Path", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "ENV", "IFS",
            "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "HOME", "SHELL", "MAKEFLAGS", "O", "ARCH", "CROSS_COMPILE",
            "KBUILD_OUTPUT", "KFARM_STEP", "kfarm_x", "A B", "A=B", "-x", "", "BASH_FUNC_x%%", "X{LF}Y",
            "K" + new string('0', 128),             // 129 characters
        ]),
        // custom_env: the payload is the VALUE of MY_VAR (any printable value without CR/LF/NUL is fine)
        ("build_config.custom_env.MY_VAR", [
            "x{LF}touch {canary}", "x{CR}touch {canary}", "x{NUL}touch {canary}", "{LF}", "{LONG}",
        ]),
        ("build_config.workspace_root", [
            "tmp/kfarm", "/tmp/../etc", "/", "//etc", "/tmp/x/", "/tmp/./x", "{ws}/../../../etc", "~/x", "/tmp/$(id)", "/tmp/x y",
        ]),
        ("build_config.build_directory", [
            "tmp/kfarm", "/tmp/../etc", "/", "//etc", "/tmp/x/", "/tmp/./x", "{ws}/../../../etc", "~/x", "/tmp/$(id)", "/tmp/x y",
        ]),
        ("build_config.output_directory", [
            "/etc", "/tmp", "../", "..", "relative/x", "{storage}/../../etc", "{storage}/..", "{storage}-evil",
            "{storage}/./x", "{storage}/x y", "{storage}/$(id)", "/",
            // another job's folder and the farm's own folders (docs/storage-limits.md)
            "{storage}/0197a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", "{storage}/.staging", "{storage}/.logs",
        ]),
        ("build_config.artifact_patterns[0]", [
            "../../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./vmlinux", "*/../../*", "{,/etc/passwd}", "~/x",
            "$HOME", "a b", "-x", "vmlinux/", ".",
        ]),
    ];

    public static TheoryData<string, string> HostileJobFields
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (name, values) in Specific)
            {
                // custom_env values may hold any printable character: the generic injections are valid there
                var all = name == "build_config.custom_env.MY_VAR" ? values : Injections.Concat(values);
                foreach (var value in all.Distinct(StringComparer.Ordinal)) data.Add(name, value);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(HostileJobFields))]
    public async Task A_hostile_value_in_any_job_field_is_refused_with_400_naming_the_field(string field, string template)
    {
        var canary = new Canary();
        try
        {
            var value = Expand(template, canary, Env);
            var body = Env.Job();
            string expected;
            if (field == "build_config.custom_env")
            {
                body["build_config"]!["custom_env"] = new JsonObject { [value] = "x" };
                expected = "build_config.custom_env." + value;
            }
            else if (field.StartsWith("build_config.custom_env.", StringComparison.Ordinal))
            {
                body["build_config"]!["custom_env"] = new JsonObject { [field["build_config.custom_env.".Length..]] = value };
                expected = field;
            }
            else
            {
                Set(body, field, value);
                expected = field;
            }

            var answer = await PostJsonAsync(Farm.Http, JobsUrl, body);
            await CancelIfAcceptedAsync(answer);

            canary.AssertAbsent($"{field} = {Printable(value)}");
            AssertInvalid(answer, expected);
            // messages never echo the submitted value (a custom_env key is part of the field name, though)
            if (field != "build_config.custom_env" && template.Contains("{canary}", StringComparison.Ordinal))
                Assert.DoesNotContain(canary.Path, answer.Text);
        }
        finally
        {
            canary.CleanUp();
        }
    }

    /// <summary>A hostile request that was (wrongly) accepted must not go on to build.</summary>
    private async Task CancelIfAcceptedAsync(Answer answer)
    {
        if (answer.Status is HttpStatusCode.Accepted or HttpStatusCode.OK && answer.Json?["id"]?.GetValue<string>() is { } id)
        {
            using var _ = await Farm.Http.PostAsync($"{JobsUrl}/{id}/cancel", null);
            try { await Farm.WaitForEndAsync(id, Timeout); }
            catch (TimeoutException) { }
        }
    }

    public static TheoryData<string, string> UnallowedWorkspacePaths => new()
    {
        { "build_config.workspace_root", "/etc" },
        { "build_config.workspace_root", "/tmp" },
        { "build_config.build_directory", "/etc/kfarm" },
        { "build_config.build_directory", "{ws}" },   // a server's root itself: it would be wiped as a workspace
    };

    /// <summary>Safe-looking absolute paths that no registered server allows: refused (400 or 422) naming the field.</summary>
    [Theory]
    [MemberData(nameof(UnallowedWorkspacePaths))]
    public async Task A_workspace_path_that_no_server_allows_is_refused_naming_that_field(string path, string template)
    {
        var value = Expand(template, new Canary(), Env);
        var body = Env.Job();
        Set(body, path, value);
        var answer = await PostJsonAsync(Farm.Http, JobsUrl, body);
        await CancelIfAcceptedAsync(answer);
        Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{path}={value}: {answer}");
        Assert.Equal("application/problem+json", answer.MediaType);
        var fields = Fields(answer.Json!);
        Assert.True(fields.Contains(path), $"{path}={value}: the problem should name {path}, it names [{string.Join(", ", fields)}]: {answer}");
    }

    // ================================================================ 2. structural bad input

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "this is not json", "body" },
        { "{", "body" },
        { "[]", "body" },
        { "null", "body" },
        { "\"a string\"", "body" },
        { "42", "body" },
        { "", "body" },
        { "{\"source_repository\": \"x\",}", "body" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_body_that_is_not_a_json_object_is_refused_naming_body(string body, string field) =>
        AssertInvalid(await PostRawAsync(Farm.Http, JobsUrl, body), field);

    public static TheoryData<string, string, string> WrongShapes => new()
    {
        // path to set, JSON value, expected field
        { "evil_field", "1", "evil_field" },
        { "sourceRepository", "\"x\"", "sourceRepository" },
        { "build_config.evil", "true", "build_config.evil" },
        { "build_config.git_depth", "\"x\"", "build_config.git_depth" },
        { "build_config.git_depth", "1.5", "build_config.git_depth" },
        { "build_config.git_depth", "-1", "build_config.git_depth" },
        { "build_config.keep_workspace", "\"yes\"", "build_config.keep_workspace" },
        { "build_config.kconfig_fragments", "\"CONFIG_X=y\"", "build_config.kconfig_fragments" },
        { "build_config.extra_make_args", "[1]", "build_config.extra_make_args[0]" },
        { "build_config.custom_env", "[]", "build_config.custom_env" },
        { "build_config.custom_env", "{\"MY_VAR\": 1}", "build_config.custom_env.MY_VAR" },
        { "build_config.custom_env", "{\"MY_VAR\": null}", "build_config.custom_env.MY_VAR" },
        { "build_config", "\"x\"", "build_config" },
        { "build_config", "null", "build_config" },
        { "priority", "\"high\"", "priority" },
        { "priority", "100000", "priority" },
        { "source_repository", "null", "source_repository" },
        { "source_repository", "\"\"", "source_repository" },
        { "source_repository", "[\"git://x/y\"]", "source_repository" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public async Task A_field_of_the_wrong_shape_is_refused_naming_it(string path, string json, string field)
    {
        var body = Env.Job();
        Set(body, path, JsonNode.Parse(json));
        var answer = await PostRawAsync(Farm.Http, JobsUrl, body.ToJsonString());
        await CancelIfAcceptedAsync(answer);
        AssertInvalid(answer, field);
    }

    [Fact]
    public async Task A_hostile_unknown_field_name_is_refused_naming_it()
    {
        var canary = new Canary();
        var body = Env.Job();
        body[$"$(touch {canary.Path})"] = 1;
        var answer = await PostJsonAsync(Farm.Http, JobsUrl, body);
        await CancelIfAcceptedAsync(answer);
        canary.AssertAbsent("unknown field name");
        AssertInvalid(answer, $"$(touch {canary.Path})");
    }

    [Fact]
    public async Task A_missing_source_repository_is_refused()
    {
        var body = Env.Job();
        body.Remove("source_repository");
        var answer = await PostJsonAsync(Farm.Http, JobsUrl, body);
        await CancelIfAcceptedAsync(answer);
        AssertInvalid(answer, "source_repository");
    }

    [Fact]
    public async Task A_duplicate_field_cannot_smuggle_a_hostile_value_past_validation()
    {
        var canary = new Canary();
        try
        {
            var text = Env.Job().ToJsonString();
            // the same member twice: the hostile value last
            var smuggled = text[..^1] + ",\"source_repository\":\"; touch " + canary.Path + "\"}";
            var answer = await PostRawAsync(Farm.Http, JobsUrl, smuggled);
            await CancelIfAcceptedAsync(answer);
            canary.AssertAbsent("duplicate source_repository");
            var json = AssertProblem(answer, HttpStatusCode.BadRequest);
            Assert.Contains(Fields(json), f => f is "source_repository" or "body");
        }
        finally
        {
            canary.CleanUp();
        }
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_refused_with_413_naming_body()
    {
        static void AssertTooLarge(Answer answer) =>
            Assert.Contains("body", Fields(AssertProblem(answer, HttpStatusCode.RequestEntityTooLarge)));
        const int limit = 1 << 20;

        // with a Content-Length over the limit: refused from the head alone, so no body is sent
        AssertTooLarge(await ExchangeRawAsync(Farm.Http, "POST", JobsUrl,
            ["Content-Type: application/json", $"Content-Length: {limit + 1024}", "Connection: close"], []));

        // chunked, so the size is only known while reading: one chunk of exactly limit + 1 bytes,
        // all of which the server reads before it stops (see ExchangeRawAsync for why not more)
        var json = Encoding.UTF8.GetBytes("{\"source_repository\":\"" + new string('a', limit));
        var chunk = json[..(limit + 1)];
        var body = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n").Concat(chunk).ToArray();
        AssertTooLarge(await ExchangeRawAsync(Farm.Http, "POST", JobsUrl,
            ["Content-Type: application/json", "Transfer-Encoding: chunked", "Connection: close"], body));
    }

    public static TheoryData<string, string, string> NullElements => new()
    {
        // body ("job" or "server"), path set to JSON null, expected field
        { "job", "build_config.kconfig_fragments[0]", "build_config.kconfig_fragments[0]" },
        { "job", "build_config.extra_make_args[0]", "build_config.extra_make_args[0]" },
        { "job", "build_config.artifact_patterns[0]", "build_config.artifact_patterns[0]" },
        { "job", "branch", "branch" },
        { "server", "supported_architectures[0]", "supported_architectures" },
        { "server", "toolchains[0]", "toolchains[0]" },
        { "server", "toolchains[0].target_architectures[0]", "toolchains[0].target_architectures" },
        { "server", "allowed_workspace_roots[0]", "allowed_workspace_roots[0]" },
        { "server", "ip_address", "ip_address" },
        { "server", "ssh_username", "ssh_username" },
    };

    /// <summary>A JSON null where a value is expected is a 400 naming it, never a 500.</summary>
    [Theory]
    [MemberData(nameof(NullElements))]
    public async Task A_null_where_a_value_is_expected_is_refused_naming_it(string target, string path, string field)
    {
        var body = target == "job"
            ? Env.Job()
            : FarmProcess.ServerBody(Env.X86, "hostile-null", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])]);
        Set(body, path, null);
        var answer = await PostJsonAsync(Farm.Http, target == "job" ? JobsUrl : ServersUrl, body);
        await CancelIfAcceptedAsync(answer);
        if (answer.Status == HttpStatusCode.Created) (await Farm.Http.DeleteAsync($"{ServersUrl}/hostile-null")).Dispose();
        AssertInvalid(answer, field);
    }

    /// <summary>
    /// null for a list or map of build_config: refused naming each field, or taken as empty — then the
    /// job must build like any other. Runs on a farm of its own: if such a job wedges its build actor,
    /// it holds a build slot for good, and the shared farm of this class must not lose its x86 slot.
    /// </summary>
    [Fact]
    public async Task Null_lists_and_maps_in_build_config_are_refused_or_taken_as_empty()
    {
        await using var own = await FarmWithServers.StartAsync();
        var body = own.Job();
        string[] fields = ["build_config.custom_env", "build_config.kconfig_fragments", "build_config.extra_make_args"];
        foreach (var f in fields) Set(body, f, null);
        var answer = await PostJsonAsync(own.Farm.Http, JobsUrl, body);
        if (answer.Status == HttpStatusCode.Accepted)
        {
            var id = answer.Json!["id"]!.GetValue<string>();
            var last = await Eventually.ValueAsync(() => SendAsync(own.Farm.Http, HttpMethod.Get, $"{JobsUrl}/{id}"),
                a => a.Status == HttpStatusCode.OK && a.Json?["status"]?.GetValue<string>() is "completed" or "failed" or "cancelled",
                TimeSpan.FromSeconds(60), $"job {id} to end");
            Assert.True(last.Status == HttpStatusCode.OK && last.Json?["status"]?.GetValue<string>() == "completed",
                $"accepted with null custom_env/kconfig_fragments/extra_make_args, but after 60 s GET job answers {last}\n{own.Farm.Tail(30)}");
        }
        else
        {
            var json = AssertProblem(answer, HttpStatusCode.BadRequest);
            Assert.All(fields, f => Assert.Contains(f, Fields(json)));
        }
    }

    // ================================================================ 3. valid values with metacharacters reach the build quoted

    private sealed record EchoJob(JsonObject Job, string EchoValue, string MyVarValue, Canary Canary);

    private static readonly ConditionalWeakTable<FarmFixture, Task<EchoJob>> EchoJobs = new();

    /// <summary>The one fast job of this class that is built successfully; shared by the tests that need a completed job.</summary>
    private Task<EchoJob> CompletedEchoJobAsync() => EchoJobs.GetValue(fixture, _ => RunEchoJobAsync());

    private async Task<EchoJob> RunEchoJobAsync()
    {
        var canary = new Canary();
        var echo = $"a;b $(touch {canary.Path}) `touch {canary.Path}-bt` 'q' \"dq\" | & > < \\ * ? ~ # %s %n !! {{x,y}} ${{IFS}} \\$(x)";
        var myVar = $"x'; touch {canary.Path}-my; echo '\" && touch {canary.Path}-my2 || `touch {canary.Path}-my3` $(touch {canary.Path}-my4)";
        var id = await Farm.SubmitAsync(Env.Job(env: new JsonObject { ["KFARM_TEST_ECHO"] = echo, ["MY_VAR"] = myVar }));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        return new EchoJob(job, echo, myVar, canary);
    }

    [Fact]
    public async Task Valid_values_full_of_shell_metacharacters_reach_the_build_verbatim_and_are_never_executed()
    {
        var e = await CompletedEchoJobAsync();
        var id = e.Job["id"]!.GetValue<string>();
        try
        {
            Assert.Equal("completed", FarmProcess.Status(e.Job));

            var log = await Farm.GetLogAsync(id);
            Assert.Contains("echo: " + e.EchoValue + "\n", log);
            var vmlinux = await File.ReadAllTextAsync(Path.Combine(e.Job["artifact_directory"]!.GetValue<string>(), "vmlinux"));
            Assert.Contains("KFARM_TEST_ECHO=" + e.EchoValue + "\n", vmlinux);
            var downloaded = await Farm.Http.GetStringAsync($"{JobsUrl}/{id}/artifacts/vmlinux");
            Assert.Equal(vmlinux, downloaded);
            // the record keeps the submitted values as they were
            Assert.Equal(e.EchoValue, e.Job["build_config"]?["custom_env"]?["KFARM_TEST_ECHO"]?.GetValue<string>());
            Assert.Equal(e.MyVarValue, e.Job["build_config"]?["custom_env"]?["MY_VAR"]?.GetValue<string>());

            // nothing was executed, nothing written outside the roots
            var stray = e.Canary.AnywhereUnderTmp();
            Assert.True(stray.Count == 0, "canary files exist: " + string.Join(", ", stray));
            foreach (var entry in Directory.EnumerateFileSystemEntries(Farm.StoragePath))
            {
                var name = Path.GetFileName(entry);
                Assert.True(Directory.Exists(entry) && (Guid.TryParse(name, out _) || name is ".logs" or ".staging"),
                    $"unexpected entry in the farm's storage: {entry}");
            }
            Assert.True(Directory.Exists(Path.Combine(Farm.StoragePath, id)));
            Assert.True(await Eventually.GoneAsync(Path.Combine(Env.X86.WorkDirectory, "job-" + id)), "workspace left behind");
        }
        finally
        {
            e.Canary.CleanUp();
        }
    }

    /// <summary>
    /// custom_env keys that are valid variable names but would change where the build script writes
    /// (its own <c>ws</c> variable), how make runs (GNUMAKEFLAGS is read like MAKEFLAGS) or how git
    /// fetches (GIT_CONFIG_* can rewrite the validated repository URL). Either the key is refused with a 400 naming it, or the
    /// job runs and nothing happens outside its workspace.
    /// </summary>
    public static TheoryData<string, string> ReconfiguringEnv => new()
    {
        { "script variable ws redirects O= and the collect step", """{"ws": "{canary}"}""" },
        { "GNUMAKEFLAGS --eval runs a make function", """{"GNUMAKEFLAGS": "--eval=$(shell touch {canary})"}""" },
        {
            "GIT_CONFIG_* rewrites the repository URL to the ext:: transport",
            """{"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "url.ext::sh -c touch% {canary}% #.insteadOf", "GIT_CONFIG_VALUE_0": "git://", "GIT_CONFIG_KEY_1": "protocol.ext.allow", "GIT_CONFIG_VALUE_1": "always"}"""
        },
    };

    [Theory]
    [MemberData(nameof(ReconfiguringEnv))]
    public async Task A_custom_env_key_cannot_make_the_build_write_or_run_anything_outside_its_workspace(string what, string envTemplate)
    {
        var canary = new Canary();
        try
        {
            var env = JsonNode.Parse(Expand(envTemplate, canary, Env))!.AsObject();
            var keys = env.Select(kv => "build_config.custom_env." + kv.Key).ToList();
            var answer = await PostJsonAsync(Farm.Http, JobsUrl, Env.Job(env: env));
            if (answer.Status == HttpStatusCode.Accepted)
            {
                var id = answer.Json!["id"]!.GetValue<string>();
                var job = await Farm.WaitForEndAsync(id, Timeout);
                var found = canary.AnywhereUnderTmp();
                Assert.True(found.Count == 0,
                    $"{what}: custom_env {env.ToJsonString()} was accepted and the job (ended {FarmProcess.Status(job)}) " +
                    $"created {string.Join(", ", found)}");
            }
            else
            {
                canary.AssertAbsent(what);
                var json = AssertProblem(answer, HttpStatusCode.BadRequest);
                Assert.True(Fields(json).Any(keys.Contains), $"{what}: expected one of [{string.Join(", ", keys)}]: {answer}");
            }
        }
        finally
        {
            canary.CleanUp();
        }
    }

    // ================================================================ 4. server registration

    public static TheoryData<string, string, string> HostileServerFields => new()
    {
        // path, value, expected field
        { "ip_address", "127.0.0.2; touch {canary}", "ip_address" },
        { "ip_address", "$(touch {canary})", "ip_address" },
        { "ip_address", "127.0.0.2{LF}touch {canary}", "ip_address" },
        { "ip_address", "-oProxyCommand=touch {canary}", "ip_address" },
        { "ip_address", "127.0.0.2 -oProxyCommand=x", "ip_address" },
        { "ssh_username", "kfbuild;id", "ssh_username" },
        { "ssh_username", "$(touch {canary})", "ssh_username" },
        { "ssh_username", "-oProxyCommand=touch {canary}", "ssh_username" },
        { "ssh_username", "kfbuild{LF}id", "ssh_username" },
        { "ssh_username", "root@127.0.0.1", "ssh_username" },
        { "hostname", "x86.test; touch {canary}", "hostname" },
        { "hostname", "-oProxyCommand=x", "hostname" },
        { "id", "../x", "id" },
        { "id", "x;id", "id" },
        { "id", "-x", "id" },
        { "id", "$(touch {canary})", "id" },
        { "workspace_root", "/tmp/$(id)", "workspace_root" },
        { "workspace_root", "/tmp/$(touch {canary})", "workspace_root" },
        { "workspace_root", "tmp/builds", "workspace_root" },
        { "workspace_root", "/tmp/../etc", "workspace_root" },
        { "workspace_root", "/", "workspace_root" },
        { "allowed_workspace_roots[0]", "../etc", "allowed_workspace_roots[0]" },
        { "allowed_workspace_roots[0]", "/tmp/`touch {canary}`", "allowed_workspace_roots[0]" },
        { "ssh_key_path", "client_ed25519", "ssh_key_path" },
        { "ssh_key_path", "../../etc/passwd", "ssh_key_path" },
        { "ssh_key_path", "/tmp/$(touch {canary})", "ssh_key_path" },
        { "ssh_key_path", "/nonexistent/key", "ssh_key_path" },
        { "ssh_host_key_fingerprint", "SHA256:$(touch {canary})", "ssh_host_key_fingerprint" },
        { "supported_architectures[0]", "sparc", "supported_architectures" },
        { "supported_architectures[0]", "x86_64; touch {canary}", "supported_architectures" },
        { "toolchains[0].name", "gcc-12; touch {canary}", "toolchains[0].name" },
        { "toolchains[0].cross_compile", "$(touch {canary})-", "toolchains[0].cross_compile" },
        { "toolchains[0].cross_compile", "/tmp/evil-", "toolchains[0].cross_compile" },
        { "toolchains[0].target_architectures[0]", "sparc", "toolchains[0].target_architectures" },
    };

    [Theory]
    [MemberData(nameof(HostileServerFields))]
    public async Task A_hostile_server_registration_is_refused_with_400_naming_the_field(string path, string template, string field)
    {
        var canary = new Canary();
        try
        {
            var body = FarmProcess.ServerBody(Env.X86, "hostile-" + canary.Id[..8], ["x86_64"],
                [FarmProcess.Toolchain("gcc-12", ["x86_64"])]);
            Set(body, path, Expand(template, canary, Env));
            var answer = await PostJsonAsync(Farm.Http, ServersUrl, body);
            if (answer.Status == HttpStatusCode.Created && answer.Json?["id"]?.GetValue<string>() is { } registered)
                (await Farm.Http.DeleteAsync($"{ServersUrl}/{Uri.EscapeDataString(registered)}")).Dispose();

            canary.AssertAbsent($"{path} = {template}");
            AssertInvalid(answer, field);
        }
        finally
        {
            canary.CleanUp();
        }
    }

    [Fact]
    public async Task Registering_an_existing_server_id_again_is_a_409_and_changes_nothing()
    {
        var before = await Farm.Http.GetStringAsync($"{ServersUrl}/x86");
        // a valid body for the same id, pointing at the other server
        var body = FarmProcess.ServerBody(Env.Arm, "x86", ["arm64"], [FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")]);
        var answer = await PostJsonAsync(Farm.Http, ServersUrl, body);
        var json = AssertProblem(answer, HttpStatusCode.Conflict);
        Assert.Contains("id", Fields(json));

        var after = JsonNode.Parse(await Farm.Http.GetStringAsync($"{ServersUrl}/x86"))!.AsObject();
        Assert.Equal(Env.X86.IpAddress, after["ip_address"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(before)!["ip_address"]!.GetValue<string>(), after["ip_address"]!.GetValue<string>());

        var list = JsonNode.Parse(await Farm.Http.GetStringAsync(ServersUrl))!["servers"]!.AsArray();
        Assert.Equal(["arm", "x86"], list.Select(s => s!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    // ================================================================ 5. job routes

    public static TheoryData<string> UnknownJobIds => new()
    {
        "00000000-0000-0000-0000-000000000000",
        "0190b1a2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
        "not-a-job",
        "..%2F..%2Fetc",
        "%24(touch%20x)",
        "{0190b1a2-3c4d-7e5f-8a9b-0c1d2e3f4a5b}",
    };

    [Theory]
    [MemberData(nameof(UnknownJobIds))]
    public async Task Every_job_route_answers_404_problem_for_an_unknown_job(string id)
    {
        foreach (var (method, route) in new[]
                 {
                     (HttpMethod.Get, ""), (HttpMethod.Post, "/cancel"), (HttpMethod.Get, "/log"),
                     (HttpMethod.Get, "/artifacts"), (HttpMethod.Get, "/artifacts/vmlinux"),
                     (HttpMethod.Get, "/artifacts/arch/x86/boot/bzImage"),
                 })
        {
            var answer = await SendAsync(Farm.Http, method, $"{JobsUrl}/{id}{route}");
            Assert.True(answer.Status == HttpStatusCode.NotFound && answer.MediaType == "application/problem+json",
                $"{method} {id}{route}: {answer}");
        }
    }

    /// <summary>
    /// Artifact paths that are not in the manifest. "problem": 404 problem+json from the artifact route.
    /// "404": dot segments as typed, which the HTTP server resolves before routing; whatever route that
    /// lands on, it must be a 404. "refused": the HTTP server may refuse the request line itself (400).
    /// </summary>
    public static TheoryData<string, string> ForeignArtifactPaths => new()
    {
        { "..%2F..%2Fetc%2Fpasswd", "problem" },
        { "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "problem" },
        { "%2Fetc%2Fpasswd", "problem" },
        { "vmlinux%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "problem" },
        { "%5C..%5C..%5Cetc%5Cpasswd", "problem" },
        { "not-in-the-manifest", "problem" },
        { "metadata.json", "problem" },   // in the job folder, but not an artifact
        { "manifest.json", "problem" },
        { "VMLINUX", "problem" },
        { "vmlinux.", "problem" },
        { "vmlinux%20", "problem" },
        { "../../etc/passwd", "404" },
        { "../../../../../../../../../../etc/passwd", "404" },
        { "%2E%2E/%2E%2E/etc/passwd", "404" },
        { "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "404" },
        { "./../../etc/passwd", "404" },
        { "//etc/passwd", "404" },
        { "vmlinux/../../../../../../../../../../etc/passwd", "404" },
        { "....//....//etc/passwd", "404" },
        { "vmlinux%00", "refused" },
        { "..\\..\\etc\\passwd", "refused" },
    };

    [Theory]
    [MemberData(nameof(ForeignArtifactPaths))]
    public async Task An_artifact_path_outside_the_manifest_is_404_and_never_serves_a_file(string path, string expect)
    {
        var e = await CompletedEchoJobAsync();
        Assert.Equal("completed", FarmProcess.Status(e.Job));
        var id = e.Job["id"]!.GetValue<string>();
        // the route does serve a listed artifact of this job, so the 404s below are about the paths
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Farm.Http, HttpMethod.Get, $"{JobsUrl}/{id}/artifacts/vmlinux")).Status);

        var answer = await SendAsync(Farm.Http, HttpMethod.Get, $"{JobsUrl}/{id}/artifacts/{path}");
        switch (expect)
        {
            case "problem":
                AssertProblem(answer, HttpStatusCode.NotFound);
                break;
            case "404":
                Assert.True(answer.Status == HttpStatusCode.NotFound, $"{path}: {answer}");
                break;
            default:
                Assert.True(answer.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {answer}");
                break;
        }
        Assert.DoesNotContain("root:", answer.Text);
        Assert.DoesNotContain("KFARM_TEST_ECHO=", answer.Text);
    }
}
