using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Jobs;

/// <summary>
/// Downloads a job's artifacts into a folder at their relative paths: each into a temporary file
/// beside its target, hashed while written, and moved into place only when its sha256 matches the
/// manifest. A mismatch removes the file and fails; nothing is ever written outside the folder.
/// </summary>
public sealed class ArtifactDownloader(FarmClient client, string jobId, string outputDirectory)
{
    /// <summary>Called while a file arrives: (entry, bytes so far).</summary>
    public Action<ArtifactEntry, long>? Progress { get; init; }

    public async Task<string> DownloadAsync(ArtifactEntry entry, CancellationToken ct)
    {
        var target = ArtifactPath.Resolve(outputDirectory, entry.Path);
        if (!Sha256Check.IsValidHex(entry.Sha256))
            throw CliException.Failure($"{entry.Path}: the manifest has no valid sha256, so the download cannot be verified");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        ArtifactPath.EnsureNoLinks(outputDirectory, target);

        var partial = $"{target}.kfarm-partial-{Environment.ProcessId}";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.Artifact(jobId, entry.Path));
            using var response = await client.OpenStreamAsync(request, ct);
            using var check = new Sha256Check();
            long received = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    check.Append(buffer.AsSpan(0, n));
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    received += n;
                    Progress?.Invoke(entry, received);
                }
            }
            var actual = check.Hex();
            if (!Sha256Check.Matches(entry.Sha256, actual))
                throw CliException.Failure($"{entry.Path}: sha256 mismatch: the manifest says {entry.Sha256}, the download is {actual} ({received} bytes); file removed");
            if (entry.Size >= 0 && received != entry.Size)
                throw CliException.Failure($"{entry.Path}: size mismatch: the manifest says {entry.Size} bytes, got {received}; file removed");
            File.Move(partial, target, overwrite: true);
            return target;
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException)
        {
            throw client.Unreachable($"download of {entry.Path} broke off: {e.Message}");
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }
}
