using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Validation;

/// <summary>
/// Container image references limited to a safe subset of the OCI grammar:
/// [registry[:port]/]path[:tag][@sha256:digest], lower-case path components. Such a name never starts
/// with '-' (no option), has no shell metacharacter or space, and is quoted all the same.
/// </summary>
public static partial class ContainerImageName
{
    public const int MaxLength = 255;

    [GeneratedRegex(
        @"^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?/)?" +          // registry (or the first path component)
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*" +                        // path component
        @"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +                  // more path components
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +                      // tag
        @"(?:@sha256:[0-9a-f]{64})?\z")]                                   // digest; \z: no trailing newline
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    public const string Rule =
        "must be an image reference such as localhost/kernelfarm-builder:bookworm: [registry[:port]/]name[:tag][@sha256:digest], lower-case letters, digits and '._-/' in the name";
}
