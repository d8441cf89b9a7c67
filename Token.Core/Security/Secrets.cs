namespace Token.Core.Security;

/// <summary>
/// The old names of <see cref="RandomValues"/> and <see cref="Pkce"/>, kept only because bench/ (not part of this
/// change) still calls them; remove it once bench/ uses the new names.
/// </summary>
public static class Secrets
{
    public static string NewRandom(int bytes = 32) => RandomValues.New(bytes);

    public static string CodeChallenge(string verifier) => Pkce.CodeChallenge(verifier);
}
