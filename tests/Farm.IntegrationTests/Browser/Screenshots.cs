using System.Text;
using Microsoft.Playwright;

namespace KernelFarm.IntegrationTests.Browser;

/// <summary>
/// Screenshots for the README: <c>KFARM_SCREENSHOTS=/some/dir dotnet test … --filter …</c> makes
/// every <see cref="SaveAsync"/> write &lt;dir&gt;/&lt;name&gt;.png; without the variable it does nothing,
/// so tests can call it unconditionally.
/// </summary>
public static class Screenshots
{
    public const string DirectoryVariable = "KFARM_SCREENSHOTS";

    /// <summary>Writes &lt;$KFARM_SCREENSHOTS&gt;/&lt;name&gt;.png (the viewport, or the whole page) and returns its path; null when the variable is not set.</summary>
    public static Task<string?> SaveAsync(IPage page, string name, bool fullPage = false) =>
        SaveToAsync(page, Environment.GetEnvironmentVariable(DirectoryVariable), name, fullPage);

    /// <summary><see cref="SaveAsync"/> with the directory given; null or empty means "do nothing".</summary>
    public static async Task<string?> SaveToAsync(IPage page, string? directory, string name, bool fullPage = false)
    {
        if (string.IsNullOrEmpty(directory)) return null;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(Path.GetFullPath(directory), FileName(name));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Type = ScreenshotType.Png });
        return path;
    }

    /// <summary>"name.png" with anything but letters, digits, '-', '_' and '.' made '-' (a name never makes a path).</summary>
    public static string FileName(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        foreach (var c in name)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        var file = sb.ToString().Trim('.');
        if (file.Length == 0) file = "screenshot";
        return file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? file : file + ".png";
    }
}
