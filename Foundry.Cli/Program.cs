using Foundry.Cli;

return FoundryCli.Run(args, CliConsole.FromSystem());
