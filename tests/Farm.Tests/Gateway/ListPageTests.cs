using KernelFarm.Host.Gateway;
using Xunit;

namespace KernelFarm.Tests.Gateway;

public sealed class ListPageTests
{
    [Fact]
    public void Takes_items_while_they_fit_in_the_budget() => Assert.Equal(3, ListPage.Fit([100, 100, 100, 100], 350));

    [Fact]
    public void An_item_that_ends_exactly_at_the_budget_fits() => Assert.Equal(2, ListPage.Fit([100, 100, 1], 200));

    [Fact]
    public void The_first_item_is_always_taken_so_paging_moves_on() => Assert.Equal(1, ListPage.Fit([5_000, 1], 100));

    [Fact]
    public void Small_items_all_fit() => Assert.Equal(50, ListPage.Fit(Enumerable.Repeat(10, 50), 1 << 20));

    [Fact]
    public void An_empty_list_is_an_empty_page() => Assert.Equal(0, ListPage.Fit([], 100));
}
