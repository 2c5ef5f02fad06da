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
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
            result.AddError($"{name}: '{text}' is not a whole number");
            return null;
        },
    };
}
