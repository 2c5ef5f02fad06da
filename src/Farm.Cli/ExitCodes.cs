namespace KernelFarm.Cli;

/// <summary>kfarm's exit codes: scripts branch on these, so they are part of the interface.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The operation ran and failed: a build that failed or was cancelled (--wait), a checksum mismatch.</summary>
    public const int Failure = 1;
    /// <summary>Bad flags or arguments, or a request the farm refused as invalid (400).</summary>
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Auth = 4;
    public const int Conflict = 5;
    /// <summary>The farm could not be reached, or answered with another error (429, 5xx).</summary>
    public const int Unavailable = 6;

    public static int ForHttpStatus(int status) => status switch
    {
        >= 200 and < 300 => Ok,
        400 => Usage,
        401 or 403 => Auth,
        404 => NotFound,
        409 or 422 => Conflict,
        _ => Unavailable,
    };
}
