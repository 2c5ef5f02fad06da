using System.Diagnostics;
using System.Text;

namespace KernelFarm.Tests.Execution;

/// <summary>Result of a local process: raw stdout bytes (for byte-exact checks), stderr text.</summary>
internal sealed record ProcessResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}

/// <summary>Runs real local processes (bash, git) for the execution tests.</summary>
internal static class LocalShell
{
    public const string Bash = "/bin/bash";

    /// <summary>Runs <c>/bin/bash -c command</c> and waits for it (and its stdout) to finish.</summary>
    public static ProcessResult BashC(string command, string? workingDirectory = null, TimeSpan? timeout = null) =>
        Run(Bash, ["-c", command], workingDirectory, timeout);

    public static ProcessResult Run(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        if (!process.WaitForExit(limit))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {limit}");
        }
        if (!Task.WaitAll([copyOut, readErr], limit))
            throw new TimeoutException($"output of {file} was not closed within {limit}");
        return new ProcessResult(process.ExitCode, stdout.ToArray(), readErr.Result);
    }

    /// <summary>Runs a command that must succeed; fails the test with its stderr otherwise.</summary>
    public static string MustRun(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var argList = args.ToList();
        var r = Run(file, argList, workingDirectory);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', argList)} exited {r.ExitCode}: {r.Stderr}");
        return r.StdoutText;
    }
}

/// <summary>A fresh directory under the system temp dir, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "kfarm-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a killed build may still be closing files */ }
        catch (UnauthorizedAccessException) { /* best effort */ }
    }
}
