using KernelFarm.Actors.Storage;
using Xunit;

namespace KernelFarm.Tests.Storage;

public sealed class OutputDirectoryRuleTests
{
    private const string Storage = "/var/lib/artifacts";
    private const string Victim = "0197a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
    private static readonly string[] Roots = [Storage, "/srv/out", "/srv/out/team"];

    [Theory]
    [InlineData(Storage)]
    [InlineData(Storage + "/")]
    [InlineData(Storage + "/team-a")]              // README's example: never a job's or the farm's folder
    [InlineData("/srv/out")]
    [InlineData("/srv/out/nightly")]
    [InlineData("/srv/out/team/a/b")]
    public void Allowed(string output) => Assert.Null(OutputDirectoryRule.Check(output, Storage, Roots));

    [Theory]
    [InlineData(Storage + "/" + Victim)]          // the measured attack: another job's folder
    [InlineData(Storage + "/" + Victim + "/x")]
    [InlineData(Storage + "/team-a/" + Victim)]
    [InlineData(Storage + "/.staging")]
    [InlineData(Storage + "/.logs")]
    [InlineData(Storage + "/.staging/x")]
    public void Inside_the_storage_path_no_job_folder_and_no_farm_folder(string output) =>
        Assert.NotNull(OutputDirectoryRule.Check(output, Storage, Roots));

    [Fact]
    public void Inside_the_storage_path_its_own_segments_count_even_below_a_root_inside_it() =>
        Assert.NotNull(OutputDirectoryRule.Check(Storage + "/" + Victim + "/x", Storage, [Storage + "/" + Victim]));

    [Theory]
    [InlineData("/srv/out/" + Victim)]
    [InlineData("/srv/out/nightly/" + Victim + "/more")]
    [InlineData("/srv/out/team/0197A2B45C6D7E8F9A0B1C2D3E4F5A6B")] // any spelling of a GUID
    public void No_segment_below_the_root_may_be_a_job_id(string output) =>
        Assert.Contains("job's folder", OutputDirectoryRule.Check(output, Storage, Roots));

    [Theory]
    [InlineData("/srv/out/.staging")]
    [InlineData("/srv/out/team/.kernelfarm-job")]
    public void No_segment_below_the_root_may_start_with_a_dot(string output) =>
        Assert.Contains("starting with '.'", OutputDirectoryRule.Check(output, Storage, Roots));

    [Fact]
    public void Segments_of_the_allowed_root_itself_are_the_operators_choice()
    {
        Assert.Null(OutputDirectoryRule.Check("/srv/.hidden/" + Victim[..8], Storage, ["/srv/.hidden"]));
        Assert.Null(OutputDirectoryRule.Check("/srv/" + Victim, Storage, ["/srv/" + Victim]));
    }

    [Fact]
    public void A_parent_of_the_storage_path_is_not_inside_it() =>
        Assert.Null(OutputDirectoryRule.Check("/var/lib", Storage, ["/var/lib"]));

    [Theory]
    [InlineData(Victim, true)]
    [InlineData("0197a2b45c6d7e8f9a0b1c2d3e4f5a6b", true)]
    [InlineData("job-1", false)]
    [InlineData("nightly", false)]
    public void Job_ids_are_guids(string segment, bool expected) => Assert.Equal(expected, OutputDirectoryRule.IsJobId(segment));
}
