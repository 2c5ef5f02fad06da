namespace KernelFarm.Cli.Jobs;

/// <summary>--env KEY=VALUE: the key up to the first '=', the value (possibly empty, possibly with '=') after it.</summary>
public static class EnvAssignment
{
    public static (string Key, string Value) Parse(string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0) throw CliException.Usage($"--env '{assignment}': expected KEY=VALUE");
        var key = assignment[..eq];
        if (!(char.IsAsciiLetter(key[0]) || key[0] == '_') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw CliException.Usage($"--env '{key}': a variable name is letters, digits and '_', not starting with a digit");
        return (key, assignment[(eq + 1)..]);
    }
}
