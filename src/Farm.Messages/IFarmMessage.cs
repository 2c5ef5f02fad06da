namespace KernelFarm.Messages;

/// <summary>Every message that crosses a node or reaches a journal; binds the JSON serializer.</summary>
public interface IFarmMessage;

/// <summary>Messages addressed to one build job; drives the shard extractor.</summary>
public interface IWithJobId : IFarmMessage
{
    string JobId { get; }
}
