using System.Collections.Immutable;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Serialization;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Messages;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Bench.Farm;

/// <summary>
/// A plain local actor system (no cluster, no Akka.Hosting) with a node's persistence plugins
/// (<see cref="FarmPersistence.LocalConfig"/>) and its serializer (<see cref="FarmNode"/>), for
/// scenarios that write or replay a journal without the rest of the farm.
/// </summary>
public static class LocalFarmSystem
{
    public static ActorSystem Create(string name, FarmSettings settings)
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(FarmPersistence.LocalConfig(settings));
        var serializer = SerializationSetup.Create(system => ImmutableHashSet.Create(
            SerializerDetails.Create(FarmNode.SerializerId, new FarmMessageSerializer(system), ImmutableHashSet.Create(typeof(IFarmMessage)))));
        return ActorSystem.Create(name, BootstrapSetup.Create().WithConfig(config).And(serializer));
    }
}
