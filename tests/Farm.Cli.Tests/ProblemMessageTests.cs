using KernelFarm.Cli.Http;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ProblemMessageTests
{
    [Fact]
    public void A_validation_problem_gives_title_detail_and_the_fields_from_errors()
    {
        const string body = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Invalid request","status":400,
             "detail":"target_architecture: must be one of x86_64, arm64; build_config.timeout_minutes: must be 1 to 10080",
             "errors":[{"field":"target_architecture","message":"must be one of x86_64, arm64"},
                       {"field":"build_config.timeout_minutes","message":"must be 1 to 10080"}]}
            """;
        Assert.Equal(
            "Invalid request: target_architecture: must be one of x86_64, arm64; build_config.timeout_minutes: must be 1 to 10080 " +
            "(fields: target_architecture, build_config.timeout_minutes)",
            ProblemMessage.Describe(400, body));
    }

    [Fact]
    public void A_single_field_extension_is_named()
    {
        const string body = """{"title":"No build server can run this job","status":422,"detail":"no server builds riscv64","field":"target_architecture"}""";
        Assert.Equal("No build server can run this job: no server builds riscv64 (field: target_architecture)", ProblemMessage.Describe(422, body));
    }

    [Fact]
    public void A_problem_without_fields_is_title_and_detail()
    {
        Assert.Equal("build job not found: no build job with id 42",
            ProblemMessage.Describe(404, """{"title":"build job not found","status":404,"detail":"no build job with id 42"}"""));
    }

    [Fact]
    public void A_detail_that_repeats_the_title_is_printed_once()
    {
        Assert.Equal("Conflict: job 1 already ended",
            ProblemMessage.Describe(409, """{"title":"Conflict","detail":"Conflict: job 1 already ended"}"""));
    }

    [Fact]
    public void A_problem_with_only_a_title_is_the_title()
    {
        Assert.Equal("Unauthorized", ProblemMessage.Describe(401, """{"title":"Unauthorized","status":401}"""));
    }

    [Fact]
    public void Aspnet_validation_errors_keyed_by_field_are_named_too()
    {
        const string body = """{"title":"One or more validation errors occurred.","status":400,"errors":{"limit":["The value 'x' is not valid."]}}""";
        Assert.Equal("One or more validation errors occurred. (field: limit)", ProblemMessage.Describe(400, body));
    }

    [Fact]
    public void A_body_that_is_not_json_gives_the_status_and_its_first_line()
    {
        Assert.Equal("HTTP 502 Bad Gateway: upstream down", ProblemMessage.Describe(502, "upstream down\nmore"));
    }

    [Fact]
    public void An_empty_body_gives_the_status()
    {
        Assert.Equal("HTTP 404 Not Found", ProblemMessage.Describe(404, ""));
        Assert.Equal("HTTP 500 Internal Server Error", ProblemMessage.Describe(500, null));
    }

    [Fact]
    public void A_long_body_is_cut()
    {
        var message = ProblemMessage.Describe(500, new string('x', 5000));
        Assert.True(message.Length < 400);
        Assert.EndsWith("…", message);
    }
}
