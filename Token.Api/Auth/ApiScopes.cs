namespace Token.Api.Auth;

public static class ApiScopes
{
    public const string Admin = "admin";
    public const string TokensRead = "tokens:read";
    public static readonly string[] All = [Admin, TokensRead];
}
