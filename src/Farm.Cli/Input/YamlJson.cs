using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KernelFarm.Cli.Input;

/// <summary>
/// YAML to the JSON the API takes: mappings become objects, sequences arrays; plain scalars that
/// read as YAML 1.2 core-schema integers, floats, booleans or null become those; quoted scalars
/// stay strings (so <c>"22"</c> is text and <c>22</c> a number, as in JSON).
/// </summary>
public static class YamlJson
{
    public static JsonNode? Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw CliException.Usage($"{source}: invalid YAML at line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}"); }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1) throw CliException.Usage($"{source}: expected one YAML document, found {stream.Documents.Count}");
        return Convert(stream.Documents[0].RootNode, source);
    }

    private static JsonNode? Convert(YamlNode node, string source) => node switch
    {
        YamlMappingNode map => Object(map, source),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(c => Convert(c, source)).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw CliException.Usage($"{source}: unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonObject Object(YamlMappingNode map, string source)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
                throw CliException.Usage($"{source}: line {k.Start.Line}: mapping keys must be plain text");
            if (o.ContainsKey(key)) throw CliException.Usage($"{source}: line {k.Start.Line}: duplicate key '{key}'");
            o[key] = Convert(v, source);
        }
        return o;
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (s.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (text.Any(char.IsAsciiDigit) && !text.StartsWith('.') && !text.EndsWith('.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(text);
    }
}
