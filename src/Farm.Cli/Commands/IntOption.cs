using System.CommandLine;
using System.Globalization;

namespace KernelFarm.Cli.Commands;

/// <summary>An optional whole-number option whose bad value is reported in words, not as a .NET type name.</summary>
public static class IntOption
{
    public static Option<int?> Create(string name, string description, string helpName = "N") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => Parse<int>(result, name, text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : (int?)null),
    };

    /// <summary>The same for a number that may pass 2^31 (a byte count).</summary>
    public static Option<long?> CreateLong(string name, string description, string helpName = "N") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => Parse<long>(result, name, text =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : (long?)null),
    };

    private static T? Parse<T>(System.CommandLine.Parsing.ArgumentResult result, string name, Func<string, T?> parse) where T : struct
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (parse(text) is { } value) return value;
        result.AddError($"{name}: '{text}' is not a whole number");
        return null;
    }
}
