using System.Text;
using KernelFarm.Cli.Http;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class SseParserTests
{
    private const string Stream =
        ": keep-alive\n\n" +
        "id: 120\nevent: log\ndata: ==> kfarm: step building\ndata:   CC      kernel/fork.o\n\n" +
        "retry: 3000\n" +
        "event: end\ndata: {\"status\": \"completed\"}\n\n";

    private static List<SseEvent> ParseAll(IEnumerable<string> chunks)
    {
        var parser = new SseParser();
        return chunks.SelectMany(c => parser.Feed(c.AsSpan())).ToList();
    }

    [Fact]
    public void Events_carry_their_type_data_lines_joined_by_newline_and_id()
    {
        var events = ParseAll([Stream]);
        Assert.Equal(2, events.Count);
        Assert.Equal(new SseEvent("log", "==> kfarm: step building\n  CC      kernel/fork.o", "120"), events[0]);
        Assert.Equal("end", events[1].Type);
        Assert.Equal("{\"status\": \"completed\"}", events[1].Data);
    }

    [Fact]
    public void The_id_persists_to_later_events_as_the_last_event_id()
    {
        var parser = new SseParser();
        var events = parser.Feed("id: 7\ndata: a\n\ndata: b\n\n".AsSpan());
        Assert.Equal("7", events[1].Id);
        Assert.Equal("7", parser.LastEventId);
    }

    [Fact]
    public void Comments_are_ignored()
    {
        Assert.Empty(ParseAll([": keep-alive\n\n:another\n\n"]));
    }

    [Fact]
    public void Split_at_every_possible_point_the_stream_gives_the_same_events()
    {
        var whole = ParseAll([Stream]);
        for (var i = 0; i <= Stream.Length; i++)
            Assert.Equal(whole, ParseAll([Stream[..i], Stream[i..]]));
    }

    [Fact]
    public void Fed_one_character_at_a_time_the_stream_gives_the_same_events()
    {
        Assert.Equal(ParseAll([Stream]), ParseAll(Stream.Select(c => c.ToString())));
    }

    [Fact]
    public void Fed_byte_by_byte_a_utf8_character_split_across_chunks_survives()
    {
        var bytes = Encoding.UTF8.GetBytes("event: log\ndata: grüße ✓\n\n");
        var parser = new SseParser();
        var events = new List<SseEvent>();
        foreach (var b in bytes) events.AddRange(parser.Feed(new[] { b }.AsSpan()));
        Assert.Equal("grüße ✓", Assert.Single(events).Data);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public void Lines_may_end_with_crlf_cr_or_lf(string eol)
    {
        var text = $"id: 1{eol}event: log{eol}data: a{eol}data: b{eol}{eol}";
        var e = Assert.Single(ParseAll([text]));
        Assert.Equal(new SseEvent("log", "a\nb", "1"), e);
    }

    [Fact]
    public void A_crlf_split_between_chunks_is_one_line_end()
    {
        var events = ParseAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
        Assert.Equal("a\nb", Assert.Single(events).Data);
    }

    [Fact]
    public void Only_one_space_after_the_colon_is_removed()
    {
        Assert.Equal("  indented", Assert.Single(ParseAll(["data:   indented\n\n"])).Data);
        Assert.Equal("tight", Assert.Single(ParseAll(["data:tight\n\n"])).Data);
    }

    [Fact]
    public void An_empty_data_line_is_an_empty_line_of_the_data()
    {
        Assert.Equal("a\n\nb", Assert.Single(ParseAll(["data: a\ndata:\ndata: b\n\n"])).Data);
    }

    [Fact]
    public void A_field_without_colon_is_a_field_with_an_empty_value()
    {
        Assert.Equal("", Assert.Single(ParseAll(["data\n\n"])).Data);
    }

    [Fact]
    public void An_event_without_data_is_not_dispatched_but_its_id_is_kept()
    {
        var parser = new SseParser();
        Assert.Empty(parser.Feed("id: 42\nevent: log\n\n".AsSpan()));
        Assert.Equal("42", parser.LastEventId);
        Assert.Equal(new SseEvent("message", "x", "42"), Assert.Single(parser.Feed("data: x\n\n".AsSpan())));
    }

    [Fact]
    public void An_unnamed_event_is_a_message_and_the_type_does_not_leak_into_the_next()
    {
        var events = ParseAll(["event: log\ndata: 1\n\ndata: 2\n\n"]);
        Assert.Equal(["log", "message"], events.Select(e => e.Type));
    }

    [Fact]
    public void An_event_not_yet_ended_by_a_blank_line_is_held_back()
    {
        var parser = new SseParser();
        Assert.Empty(parser.Feed("event: log\ndata: partial\n".AsSpan()));
        Assert.Single(parser.Feed("\n".AsSpan()));
    }

    [Fact]
    public void A_leading_byte_order_mark_is_skipped()
    {
        Assert.Equal("x", Assert.Single(ParseAll(["\uFEFFdata: x\n\n"])).Data);
    }

    [Fact]
    public void Retry_sets_the_reconnection_delay_and_unknown_fields_are_ignored()
    {
        var parser = new SseParser();
        Assert.Empty(parser.Feed("retry: 2500\nfoo: bar\nretry: soon\n\n".AsSpan()));
        Assert.Equal(2500, parser.RetryMilliseconds);
    }

    [Fact]
    public void An_id_with_a_nul_character_is_ignored()
    {
        var parser = new SseParser();
        parser.Feed("id: 5\n\nid: a\0b\ndata: x\n\n".AsSpan());
        Assert.Equal("5", parser.LastEventId);
    }
}
