using KernelFarm.Actors.Validation;

namespace KernelFarm.Host.Gateway;

/// <summary>application/problem+json answers; every client error names the field at fault.</summary>
public static class Problems
{
    public static IResult Invalid(IReadOnlyList<ValidationError> errors) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid request",
        detail: string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")),
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = errors.Select(e => new Dictionary<string, string> { ["field"] = e.Field, ["message"] = e.Message }).ToList(),
        });

    public static IResult Invalid(string field, string message) => Invalid([new ValidationError(field, message)]);

    public static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"no {what} with id {id}");

    public static IResult Conflict(string detail, string? field = null) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    public static IResult Unprocessable(string field, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "No build server can run this job", detail: detail,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult Unavailable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Farm busy", detail: detail);
}
