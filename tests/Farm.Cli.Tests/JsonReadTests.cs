using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class JsonReadTests
{
    [Fact]
    public void Values_built_in_code_and_values_parsed_from_text_read_alike()
    {
        var built = new JsonObject { ["port"] = 2222, ["name"] = "x", ["on"] = true };
        var parsed = JsonNode.Parse(built.ToJsonString())!;
        foreach (var o in new[] { built, parsed })
        {
            Assert.Equal(2222, Json.Long(o, "port"));
            Assert.Equal("2222", Json.Str(o, "port"));
            Assert.Equal("x", Json.Str(o, "name"));
            Assert.True(Json.Bool(o, "on"));
        }
    }

    [Fact]
    public void Missing_or_mistyped_fields_are_null()
    {
        var o = JsonNode.Parse("""{"port":"22","list":[1],"frac":1.5}""")!;
        Assert.Null(Json.Long(o, "port"));
        Assert.Null(Json.Long(o, "missing"));
        Assert.Null(Json.Long(o, "frac"));
        Assert.Null(Json.Str(o, "list"));
        Assert.Null(Json.Bool(o, "port"));
        Assert.Empty(Json.Array(o, "port"));
    }
}
