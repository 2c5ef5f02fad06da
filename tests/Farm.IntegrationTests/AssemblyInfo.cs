// Each test class starts real processes (sshd, git daemon, farm hosts); on two cores they run one class
// at a time, in one collection, except the real kernel builds (RealKernelCollection and
// RealKernelToolchainCollection): these are CPU-bound for minutes but also wait on git, disk and QEMU, so
// they run beside the main collection and beside each other, at a lower CPU priority, using the cores
// that the main collection leaves idle.
[assembly: Xunit.CollectionBehavior(Xunit.CollectionBehavior.CollectionPerAssembly, DisableTestParallelization = false, MaxParallelThreads = 3)]
