namespace KernelFarm.Messages.Plans;

public interface IWithPlanId : IFarmMessage
{
    string PlanId { get; }
}

/// <summary>Messages to one plan's actor (through the plan shard region).</summary>
public static class PlanCommands
{
    public sealed record Accept(PlanEvents.Accepted Plan) : IWithPlanId
    {
        public string PlanId => Plan.PlanId;
    }

    public sealed record Get(string PlanId) : IWithPlanId;

    public sealed record Cancel(string PlanId) : IWithPlanId;
}

public static class PlanReplies
{
    public sealed record PlanView(PlanRecord Plan) : IFarmMessage;

    public sealed record NotFound(string PlanId) : IWithPlanId;
}
