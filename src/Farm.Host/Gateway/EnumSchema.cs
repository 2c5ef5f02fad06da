using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// Enums travel as snake_case strings (FarmJson's JsonStringEnumConverter); the generated schema lists
/// the names but not their type, and generators then make integer enums that cannot read "queued".
/// </summary>
public static class EnumSchema
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type.IsEnum && schema.Enum is { Count: > 0 } && schema.Type is null) schema.Type = JsonSchemaType.String;
        return Task.CompletedTask;
    }
}
