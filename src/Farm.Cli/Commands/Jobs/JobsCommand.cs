using System.CommandLine;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>`kfarm jobs …`: build jobs (/api/v1/infrastructure/build-jobs).</summary>
public static class JobsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var jobs = new Command("jobs", "Submit, follow, inspect and cancel build jobs; fetch logs and artifacts");
        jobs.Subcommands.Add(JobSubmitCommand.Create(globals));
        jobs.Subcommands.Add(JobListCommand.Create(globals));
        jobs.Subcommands.Add(JobShowCommand.Create(globals));
        jobs.Subcommands.Add(JobCancelCommand.Create(globals));
        jobs.Subcommands.Add(JobLogsCommand.Create(globals));
        jobs.Subcommands.Add(JobArtifactsCommand.Create(globals));
        jobs.Subcommands.Add(JobRetryCommand.Create(globals));
        return jobs;
    }

    public static Argument<string> IdArgument() => new("id") { Description = "Job id" };
}
