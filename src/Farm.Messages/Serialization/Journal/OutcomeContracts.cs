using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>How an attempt or a job failed; kind is a journal word (<see cref="JournalEnums"/>).</summary>
public sealed record FailureContract
{
    public string Kind { get; init; } = "infrastructure";
    public string Step { get; init; } = "";
    public int? ExitCode { get; init; }
    public string Message { get; init; } = "";

    public static FailureContract From(JobFailure f) => new() { Kind = JournalEnums.Name(f.Kind), Step = f.Step, ExitCode = f.ExitCode, Message = f.Message };

    public JobFailure ToDomain() => new(JournalEnums.ParseFailureKind(Kind), Step, ExitCode, Message);
}

public sealed record ArtifactContract
{
    public string Path { get; init; } = "";
    public long Size { get; init; }
    public string Sha256 { get; init; } = "";

    public static ArtifactContract From(ArtifactEntry a) => new() { Path = a.Path, Size = a.Size, Sha256 = a.Sha256 };

    public ArtifactEntry ToDomain() => new(Path, Size, Sha256);
}

public sealed record BootResultContract
{
    public string Status { get; init; } = "fail";
    public double DurationS { get; init; }
    public string? Reason { get; init; }

    public static BootResultContract From(BootResult b) => new() { Status = JournalEnums.Name(b.Status), DurationS = b.DurationS, Reason = b.Reason };

    public BootResult ToDomain() => new(JournalEnums.ParseBootStatus(Status), DurationS, Reason);
}

public sealed record WebhookDeliveryContract
{
    public int Index { get; init; }
    public string Url { get; init; } = "";
    public bool Delivered { get; init; }
    public int Attempts { get; init; }
    public int? HttpStatus { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset At { get; init; }

    public static WebhookDeliveryContract From(WebhookDelivery d) =>
        new() { Index = d.Index, Url = d.Url, Delivered = d.Delivered, Attempts = d.Attempts, HttpStatus = d.HttpStatus, Error = d.Error, At = d.At };

    public WebhookDelivery ToDomain() => new(Index, Url, Delivered, Attempts, HttpStatus, Error, At);
}
