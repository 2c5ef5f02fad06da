namespace KernelFarm.Host.Auth;

/// <summary>The auth configuration cannot be used: the host refuses to start rather than run open or half-configured.</summary>
public sealed class AuthConfigurationException(IReadOnlyList<string> errors)
    : InvalidOperationException("Farm:Auth configuration is invalid, refusing to start:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
