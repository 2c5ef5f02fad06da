using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

public sealed class HostKeyTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    [Fact]
    public async Task A_server_whose_host_key_does_not_match_is_refused_and_nothing_runs_on_it()
    {
        await using var impostor = await SshBuildServer.StartAsync("127.0.0.4");
        var wrong = SshBuildServer.ReadFingerprint(fixture.Env.X86.HostPublicKeyPath); // another server's key
        var body = FarmProcess.ServerBody(impostor, "impostor", ["x86_64"],
            [FarmProcess.Toolchain("gcc-12", ["x86_64"])], fingerprint: wrong);

        using var r = await fixture.Env.Farm.Http.PostAsync("api/v1/infrastructure/build-servers",
            new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.Equal("ssh_host_key_fingerprint", problem["errors"]![0]!["field"]!.GetValue<string>());
        Assert.Contains("host key mismatch", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain("Accepted publickey", impostor.ReadLog()); // never authenticated, so no command ran
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Env.Farm.Http.GetAsync("api/v1/infrastructure/build-servers/impostor")).StatusCode);

        // The right key is accepted.
        body["ssh_host_key_fingerprint"] = impostor.HostKeyFingerprintSha256;
        using var ok = await fixture.Env.Farm.Http.PostAsync("api/v1/infrastructure/build-servers",
            new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Env.Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/impostor")).StatusCode);
    }
}
