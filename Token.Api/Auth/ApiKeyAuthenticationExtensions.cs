namespace Token.Api.Auth;

public static class ApiKeyAuthenticationExtensions
{
    public const string AdminPolicy = "admin";
    public const string TokensReadPolicy = "tokens:read";

    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddAuthentication(options =>
        {
            options.AddScheme<ApiKeyHandler>(ApiKeyOptions.Scheme, ApiKeyOptions.Scheme);
            options.DefaultScheme = ApiKeyOptions.Scheme;
        });
        builder.Services.AddTransient<ApiKeyHandler>();
        builder.Services.AddSingleton<UnknownApiKeys>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration("Auth").ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin))
            .AddPolicy(
                TokensReadPolicy,
                policy => policy.RequireClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin, ApiScopes.TokensRead));
        return builder;
    }
}
