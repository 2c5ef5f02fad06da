using KernelFarm.Cli.Commands;

return await KfarmCli.RunAsync(args);
