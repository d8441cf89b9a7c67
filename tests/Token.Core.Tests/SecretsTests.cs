using Token.Core.Security;

namespace Token.Core.Tests;

public sealed class SecretsTests
{
    [Fact]
    public void The_PKCE_challenge_is_S256_of_the_verifier() =>
        // RFC 7636 appendix B.
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            Pkce.CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));

    [Fact]
    public void Random_values_are_url_safe_and_unique()
    {
        var values = Enumerable.Range(0, 1000).Select(_ => RandomValues.New()).ToList();

        Assert.Equal(1000, values.Distinct().Count());
        Assert.All(values, value => Assert.Matches("^[A-Za-z0-9_-]{43}$", value));
    }
}
