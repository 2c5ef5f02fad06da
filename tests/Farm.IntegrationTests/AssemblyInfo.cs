// Each test class starts real processes (sshd, git daemon, farm hosts); on two cores they run one class at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
