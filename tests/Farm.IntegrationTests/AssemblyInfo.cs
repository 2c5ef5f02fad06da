// Each test class starts real processes (sshd, git daemon, farm hosts); on two cores they run one class
// at a time, in one collection, except the real kernel builds (RealKernelCollection): these are CPU-bound
// for minutes, so they run beside the main collection, one at a time and at a lower CPU priority, using the
// cores that the main collection leaves idle.
[assembly: Xunit.CollectionBehavior(Xunit.CollectionBehavior.CollectionPerAssembly, DisableTestParallelization = false, MaxParallelThreads = 2)]
