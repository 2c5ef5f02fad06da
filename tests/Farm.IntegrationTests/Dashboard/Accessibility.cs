using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>axe-core (Deque's engine, the one browsers' audit tools use) run on the page as it is now.</summary>
public static class Accessibility
{
    private static readonly AxeRunOptions Wcag2AA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    /// <summary>Fails listing every WCAG 2.1 A/AA violation with the elements at fault.</summary>
    public static async Task AssertNoViolationsAsync(IPage page, string where)
    {
        var result = await page.RunAxe(Wcag2AA);
        var problems = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help}\n      at {string.Join("\n      at ", v.Nodes.Take(5).Select(n => n.Html))}").ToList();
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException($"{where}: {problems.Count} accessibility violation(s):\n  " + string.Join("\n  ", problems));
    }
}
