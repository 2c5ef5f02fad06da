using System.Diagnostics;
using System.Text;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>Outcome of a finished child process. Deconstructs as <c>(exitCode, stdout, stderr)</c>.</summary>
public readonly record struct ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Thrown by <see cref="Proc"/> when a command fails and the caller asked for a check.</summary>
public sealed class ProcFailedException(string commandLine, ProcResult result)
    : Exception($"Command failed with exit code {result.ExitCode}: {commandLine}\n--- stderr ---\n{result.Stderr}\n--- stdout ---\n{result.Stdout}")
{
    public string CommandLine { get; } = commandLine;
    public ProcResult Result { get; } = result;
}

/// <summary>
/// Small process runner for the fixtures: no shell is involved (arguments are passed
/// verbatim), stdin is always redirected (and closed after <c>stdin</c> is written) so a
/// child never inherits the test host's stdin, stdout/stderr are captured completely.
/// </summary>
internal static class Proc
{
    /// <summary>
    /// Runs <paramref name="file"/> to completion. On cancellation the whole process tree is
    /// killed and <see cref="OperationCanceledException"/> is thrown. With
    /// <paramref name="throwOnError"/> a non-zero exit code raises <see cref="ProcFailedException"/>.
    /// </summary>
    public static async Task<ProcResult> RunAsync(
        string file,
        IReadOnlyList<string> args,
        CancellationToken cancellation = default,
        string? stdin = null,
        bool throwOnError = false,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = Create(file, args, workingDirectory, environment);
        process.Start();
        var stdoutTask = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await WriteStdinAsync(process, stdin).ConfigureAwait(false);
        try
        {
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw;
        }

        var result = new ProcResult(process.ExitCode,
            await stdoutTask.ConfigureAwait(false),
            await stderrTask.ConfigureAwait(false));
        if (throwOnError && result.ExitCode != 0)
            throw new ProcFailedException(Describe(file, args), result);
        return result;
    }

    /// <summary>Synchronous twin of <see cref="RunAsync"/> for the few sync fixture APIs.</summary>
    public static ProcResult Run(
        string file,
        IReadOnlyList<string> args,
        string? stdin = null,
        bool throwOnError = false,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = Create(file, args, workingDirectory, environment);
        process.Start();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
                process.StandardInput.Write(stdin);
        }
        catch (IOException)
        {
            // child exited without reading its input
        }
        finally
        {
            process.StandardInput.Close();
        }
        process.WaitForExit();
        var result = new ProcResult(process.ExitCode, stdoutTask.GetAwaiter().GetResult(), stderrTask.GetAwaiter().GetResult());
        if (throwOnError && result.ExitCode != 0)
            throw new ProcFailedException(Describe(file, args), result);
        return result;
    }

    /// <summary>
    /// Starts a long-running daemon whose stdin is /dev/null and whose stdout+stderr are
    /// appended to <paramref name="logPath"/> (done by a tiny <c>sh -c 'exec ...'</c>, so the
    /// returned process IS the daemon, not a shell, and no pipe to the test host stays open).
    /// </summary>
    /// <param name="niceness">When not 0, the daemon runs under nice(1) at this level (its children inherit it).</param>
    public static Process StartDaemon(string file, IReadOnlyList<string> args, string logPath, int niceness = 0)
    {
        var shArgs = new List<string>
        {
            "-c",
            "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1",
            "sh",
            logPath,
        };
        if (niceness != 0) shArgs.AddRange(["nice", "-n", niceness.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        shArgs.Add(file);
        shArgs.AddRange(args);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in shArgs)
            psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
    }

    /// <summary>SIGKILLs a process and all its descendants and waits until they have exited.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (process.HasExited)
                return;
        }
        catch (InvalidOperationException)
        {
            return; // never started
        }
        ProcessKiller.KillTree(process.Id, TimeSpan.FromSeconds(10));
        process.WaitForExit(5000);
    }

    public static string Describe(string file, IEnumerable<string> args)
    {
        var sb = new StringBuilder(file);
        foreach (var a in args)
        {
            sb.Append(' ');
            sb.Append(a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:@,+%".Contains(c))
                ? a
                : "'" + a.Replace("'", "'\\''") + "'");
        }
        return sb.ToString();
    }

    private static Process Create(string file, IReadOnlyList<string> args, string? workingDirectory,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                    psi.Environment.Remove(key);
                else
                    psi.Environment[key] = value;
            }
        }
        return new Process { StartInfo = psi };
    }

    private static async Task WriteStdinAsync(Process process, string? stdin)
    {
        try
        {
            if (stdin is not null)
                await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // child exited without reading its input; its exit code tells the story
        }
        finally
        {
            process.StandardInput.Close();
        }
    }
}
