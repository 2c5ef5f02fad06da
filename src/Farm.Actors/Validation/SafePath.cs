namespace KernelFarm.Actors.Validation;

/// <summary>
/// Conservative, purely lexical path checks. A "safe" path uses only ASCII letters, digits and <c>._/-</c>,
/// so it can be passed to a shell or a command line without quoting surprises, and it has no <c>.</c>,
/// <c>..</c> or empty segment, so lexical containment checks (<see cref="IsWithin"/>) mean what they say.
/// </summary>
public static class SafePath
{
    public const int MaxLength = 255;

    /// <summary>
    /// True for an absolute path such as <c>/mnt/fast-storage/builds</c>: starts with '/', safe charset,
    /// no empty (so no <c>//</c> and no trailing '/'), <c>.</c> or <c>..</c> segment, at most 255 chars, not "/" itself.
    /// </summary>
    public static bool IsSafeAbsolute(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength || path[0] != '/' || path.Length == 1)
        {
            return false;
        }

        return HasSafeCharacters(path) && HasSafeSegments(path.AsSpan(1));
    }

    /// <summary>
    /// True for a relative path such as <c>arch/x86/configs/x86_64_defconfig</c>: not starting with '/',
    /// safe charset, no empty (so no <c>//</c> and no trailing '/'), <c>.</c> or <c>..</c> segment, at most 255 chars.
    /// A leading '-' is refused too, so the path can never be mistaken for a command-line option.
    /// </summary>
    public static bool IsSafeRelative(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength || path[0] == '/' || path[0] == '-')
        {
            return false;
        }

        return HasSafeCharacters(path) && HasSafeSegments(path.AsSpan());
    }

    /// <summary>
    /// Segment-aware containment: <c>/a/b/c</c> and <c>/a/b</c> are within <c>/a/b</c>; <c>/a/bc</c> is not.
    /// A trailing '/' on either side is ignored and "/" contains every absolute path. Both paths must be of
    /// the same kind (absolute or relative) and neither may contain a <c>.</c> or <c>..</c> segment
    /// (containment of such paths cannot be decided lexically), otherwise the answer is false.
    /// </summary>
    public static bool IsWithin(string? path, string? root)
    {
        if (string.IsNullOrEmpty(path) || string.IsNullOrEmpty(root))
        {
            return false;
        }

        var pathAbsolute = path[0] == '/';
        if (pathAbsolute != (root[0] == '/'))
        {
            return false;
        }

        var pathSegments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var rootSegments = root.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (pathSegments.Any(IsDotSegment) || rootSegments.Any(IsDotSegment))
        {
            return false;
        }

        if (!pathAbsolute && rootSegments.Length == 0)
        {
            return false;
        }

        if (pathSegments.Length < rootSegments.Length)
        {
            return false;
        }

        for (var i = 0; i < rootSegments.Length; i++)
        {
            if (!string.Equals(pathSegments[i], rootSegments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ASCII letters, digits, '.', '_', '/' and '-'.</summary>
    public static bool IsSafeChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '/' or '-';

    private static bool HasSafeCharacters(string path)
    {
        foreach (var c in path)
        {
            if (!IsSafeChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasSafeSegments(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment is "." || segment is "..")
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDotSegment(string segment) => segment is "." or "..";
}
