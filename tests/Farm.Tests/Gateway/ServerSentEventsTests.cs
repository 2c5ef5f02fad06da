using KernelFarm.Host.Gateway;
using Xunit;

namespace KernelFarm.Tests.Gateway;

public sealed class ServerSentEventsTests
{
    [Fact]
    public void An_event_has_its_id_type_and_one_data_field_per_line_then_a_blank_line() =>
        Assert.Equal("id: 42\nevent: log\ndata:   CC      init/main.o\ndata: \ndata: done\n\n",
            ServerSentEvents.Format("log", "  CC      init/main.o\n\ndone", "42"));

    [Theory]
    [InlineData("a\r\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\rb", "data: a\ndata: b\n\n")]
    [InlineData("", "data: \n\n")]
    public void Every_line_ending_of_the_format_splits_data_and_none_survives_inside_a_field(string data, string expected) =>
        Assert.Equal(expected, ServerSentEvents.Format(null, data));

    [Fact]
    public void Ids_and_types_cannot_break_the_framing() =>
        Assert.Equal("id: 12\nevent: logend\ndata: x\n\n", ServerSentEvents.Format("log\nend", "x", "1\r\n2"));
}
