using System.Text.Json;
using FastEndpoints;
using FastEndpoints.Swagger;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Token.Api.Audit;
using Token.Api.Auth;
using Token.Api.EndpointRules;
using Token.Api.Features.OAuth;
using Token.Api.Features.Tokens;

namespace Token.Api.Infrastructure;

public static class TokenApiExtensions
{
    /// <summary>
    /// FastEndpoints' field (its default) for errors of the whole request, which <c>ThrowError(message)</c> uses.
    /// </summary>
    public const string GeneralErrors = "GeneralErrors";

    /// <summary>Larger bodies are refused with 413 before they are read: no request here needs more.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddTokenApi(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddOptions<PublicUrlOptions>().BindConfiguration("PublicUrl");
        builder.Services.AddOptions<ApiDocumentationOptions>().BindConfiguration(ApiDocumentationOptions.Section);
        builder.Services.AddOptions<ForwardingOptions>()
            .BindConfiguration(ForwardingOptions.Section)
            .Validate(forwarding => TrustedProxies.AreNetworks(forwarding.TrustedProxies),
                "Forwarding:TrustedProxies holds an entry that is neither an address nor a CIDR network.")
            .ValidateOnStart();
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        builder.Services.AddProblemDetailsWithDetail();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.AddSingleton<TokenCache>();
        builder.Services.AddSingleton<TokenReadMetrics>();
        builder.Services.AddScoped<TokenReader>();
        builder.Services.AddSingleton<AuthorizationRequests>();
        builder.Services.AddScoped<LoginTickets>();
        builder.Services.AddSingleton<ConsentMetrics>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<ProviderChangeGuard>();
        builder.Services.AddFastEndpoints();
        builder.Services.SwaggerDocument(document =>
        {
            document.ShortSchemaNames = true;
            document.DocumentSettings = settings =>
            {
                settings.DocumentName = "v1";
                settings.Title = "TokenPlatform API";
                settings.Description = $"Every call except the OAuth browser endpoints, /health and / needs an " +
                    $"{ApiKeyOptions.Header} header.";
            };
        });
        return builder;
    }

    public static WebApplication UseTokenApi(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<ForwardingOptions>>().Value.TrustedProxies;
        if (proxies.Count > 0)
        {
            app.UseForwardedHeaders(TrustedProxies.Forwarding(proxies));
        }
        else
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler();
        // Routing's own refusals (no endpoint, wrong method, wrong content type) have no body: problem details here.
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseFastEndpoints(config =>
        {
            // The legacy service's JSON contract is snake_case. These options are a copy of ASP.NET Core's JSON
            // options, so they write datetimes as the service defaults do (PythonIsoDateTimeConverter).
            config.Serializer.Options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            config.Errors.GeneralErrorsField = GeneralErrors;
            config.Errors.UseProblemDetails(problems => problems.DetailTransformer = Detail);
        });
        if (!app.Services.GetRequiredService<IOptions<ApiDocumentationOptions>>().Value.IsOn(app.Environment))
        {
            return app;
        }
        // The documentation's middlewares would otherwise look at (and copy) the path of every request.
        app.UseWhen(context => IsDocumentation(context.Request.Path), docs => docs
            .UseSwaggerGen(
                openApi => openApi.Path = OpenApiPath,
                ui =>
                {
                    ui.Path = "/docs";
                    ui.DocumentPath = OpenApiPath;
                })
            .UseReDoc(redoc =>
            {
                redoc.Path = "/redoc";
                redoc.DocumentPath = "/openapi/v1.json";
            }));
        return app;
    }

    private const string OpenApiPath = "/openapi/{documentName}.json";

    /// <summary><see cref="GeneralErrors"/> as the errors name it: snake_case, like every field.</summary>
    private static readonly string GeneralErrorsName = JsonNamingPolicy.SnakeCaseLower.ConvertName(GeneralErrors);

    /// <summary>
    /// The <c>detail</c> of FastEndpoints' refusals (validation, <c>ThrowError</c>), which the legacy service's callers
    /// read: every error as a sentence, prefixed with its field unless it concerns the whole request. FastEndpoints
    /// itself writes one only for a single error.
    /// </summary>
    private static string Detail(FastEndpoints.ProblemDetails problem) =>
        string.Join(" ", problem.Errors.Select(error =>
        {
            var sentence = error.Reason is [.., '.' or '!' or '?'] ? error.Reason : error.Reason + ".";
            return error.Name == GeneralErrorsName ? sentence : $"{error.Name}: {sentence}";
        }));

    private static bool IsDocumentation(PathString path) =>
        path.StartsWithSegments("/docs") || path.StartsWithSegments("/redoc") || path.StartsWithSegments("/openapi");
}
