using Token.Core.Security;

namespace Token.Core.Tests.Security;

public sealed class PkceTests
{
    [Fact]
    public void The_challenge_is_S256_of_the_verifier() =>
        // RFC 7636 appendix B.
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            Pkce.CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));

    [Fact]
    public void A_verifier_uses_only_unreserved_characters_within_the_lengths_RFC_7636_allows() =>
        Assert.Matches("^[A-Za-z0-9._~-]{43,128}$", Pkce.NewVerifier());
}
