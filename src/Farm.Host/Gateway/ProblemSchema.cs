using KernelFarm.Actors.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// The farm's application/problem+json answers carry more than RFC 9457's members (<see cref="Problems"/>):
/// <c>errors</c> (every field at fault, with its message) on a 400, <c>field</c> on a 403/409/422, and
/// <c>traceId</c>. The schema says so, instead of the strict ProblemDetails the serializer settings
/// would describe.
/// </summary>
public static class ProblemSchema
{
    public static async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonTypeInfo.Type != typeof(ProblemDetails)) return;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = await context.GetOrCreateSchemaAsync(typeof(ValidationError), cancellationToken: ct),
            Description = "400: every field at fault with its message",
        };
        schema.Properties["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "403, 409, 413, 422: the field at fault" };
        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
    }
}
