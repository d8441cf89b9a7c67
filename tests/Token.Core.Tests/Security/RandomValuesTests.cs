using Token.Core.Security;

namespace Token.Core.Tests.Security;

public sealed class RandomValuesTests
{
    [Fact]
    public void Random_values_are_url_safe_and_unique()
    {
        var values = Enumerable.Range(0, 1000).Select(_ => RandomValues.New()).ToList();

        Assert.Equal(1000, values.Distinct().Count());
        Assert.All(values, value => Assert.Matches("^[A-Za-z0-9_-]{43}$", value));
    }
}
