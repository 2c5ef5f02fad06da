namespace KernelFarm.Host.Gateway;

/// <summary>
/// What the OpenAPI document says about an endpoint beyond its route: its request body, its answers
/// (from the records the handler returns) and its application/problem+json errors with their statuses.
/// </summary>
public static class OpenApiMetadata
{
    public const string Json = "application/json";

    /// <summary>The body is read by <see cref="JsonBody"/> (bounded, unknown fields refused), so it is declared, not bound.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>(Json);

    /// <summary>application/problem+json answers with these statuses.</summary>
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder;
    }

    /// <summary>Names the operation (a generated client's method name) and says what it does.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string name, string summary) =>
        builder.WithName(name).WithSummary(summary);
}
