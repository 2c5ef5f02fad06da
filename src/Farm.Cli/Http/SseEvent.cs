namespace KernelFarm.Cli.Http;

/// <summary>One server-sent event: its type ("message" unless named), its data lines joined by '\n', and the last event id.</summary>
public sealed record SseEvent(string Type, string Data, string? Id);
