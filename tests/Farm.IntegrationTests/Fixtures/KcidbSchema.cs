using System.Diagnostics;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Validates KCIDB documents with kcidb-io's own v5.3 schema: tests/kcidb/validate.py run by Debian's
/// /usr/bin/python3 (python3-jsonschema) on the kcidb-io copy at &lt;repo&gt;/../shared/peers/kcidb-io-8971c02
/// (or $KCIDB_IO). A missing python, package or copy fails the test with the reason: never a silent skip.
/// </summary>
public static class KcidbSchema
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The repository's root, from the test assembly's folder (tests/X/bin/Debug/netN/).</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    public static string Script => Path.Combine(RepoRoot, "tests", "kcidb", "validate.py");

    /// <summary>$KCIDB_IO, else the peers folder beside the checkout, else the workspace's (a clone elsewhere, e.g. CI's).</summary>
    public static string KcidbIo => Environment.GetEnvironmentVariable("KCIDB_IO") is { Length: > 0 } env
        ? env
        : new[] { Path.Combine(RepoRoot, "..", "shared", "peers", "kcidb-io-8971c02"), "/work/shared/peers/kcidb-io-8971c02" }
            .Select(Path.GetFullPath).FirstOrDefault(Directory.Exists) ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "peers", "kcidb-io-8971c02"));

    /// <summary>Exit code 0 (valid), 1 (not valid) or 2 (cannot validate), with the validator's output.</summary>
    public static async Task<(int ExitCode, string Output)> CheckAsync(string json)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: scripts/install-deps.sh installs it");
        if (!Directory.Exists(KcidbIo))
            throw new InvalidOperationException($"the kcidb-io copy is missing at {KcidbIo} (set KCIDB_IO to another copy)");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(KcidbIo);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(json);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Fails unless <paramref name="json"/> is a valid KCIDB v5.3 document.</summary>
    public static async Task AssertValidAsync(string json)
    {
        var (code, output) = await CheckAsync(json);
        if (code != 0) throw new Xunit.Sdk.XunitException($"kcidb-io refuses the document (exit {code}): {output}\n{json}");
    }
}
