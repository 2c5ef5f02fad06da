using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Cluster;

/// <summary>
/// `kfarm actors`: the actor hierarchy as an indented tree, the root by its full path and each
/// child by its own name (the last path element), children in name order.
/// </summary>
public static class ActorTree
{
    public static string Render(JsonNode root)
    {
        var sb = new StringBuilder();
        sb.Append(Json.Str(root, "path") ?? "?").Append('\n');
        Children(sb, root, "");
        return sb.ToString();
    }

    private static void Children(StringBuilder sb, JsonNode node, string indent)
    {
        var children = Json.Array(node, "children").OrderBy(c => Name(c), StringComparer.Ordinal).ToList();
        for (var i = 0; i < children.Count; i++)
        {
            var last = i == children.Count - 1;
            sb.Append(indent).Append(last ? "└── " : "├── ").Append(Name(children[i])).Append('\n');
            Children(sb, children[i], indent + (last ? "    " : "│   "));
        }
    }

    public static string Name(JsonNode node)
    {
        var path = Json.Str(node, "path") ?? "?";
        var name = path.TrimEnd('/');
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }
}
