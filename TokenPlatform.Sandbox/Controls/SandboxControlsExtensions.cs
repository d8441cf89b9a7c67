using System.Text.Json;
using System.Text.Json.Serialization;
using OpenIddict.Abstractions;
using TokenPlatform.Sandbox.Clients;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// The <c>/sandbox/*</c> admin API: client registration, switches and the token request log. It exists for
/// development and tests only and has no authentication: the sandbox must never be reachable from outside.
/// </summary>
public static class SandboxControlsExtensions
{
    public static WebApplicationBuilder AddSandboxControls(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SandboxSwitches>();
        builder.Services.AddSingleton<TokenRequestLog>();

        // Our own JSON (admin API, tokeninfo) is snake_case like Google's; OpenIddict writes its own responses.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });

        return builder;
    }

    /// <summary>
    /// Must run before authentication: that is where OpenIddict answers the token and revocation endpoints.
    /// </summary>
    public static WebApplication UseSandboxTokenEndpointControls(this WebApplication app)
    {
        app.UseMiddleware<TokenEndpointControlsMiddleware>();
        return app;
    }

    public static WebApplication MapSandboxControls(this WebApplication app)
    {
        var sandbox = app.MapGroup("/sandbox");

        sandbox.MapPost("/clients", RegisterClientAsync);

        sandbox.MapGet("/switches", (SandboxSwitches switches) => switches.Current);
        sandbox.MapPut("/switches", UpdateSwitchesAsync);

        sandbox.MapGet("/requests", (TokenRequestLog log) => log.Snapshot());
        sandbox.MapDelete("/requests", (TokenRequestLog log) =>
        {
            log.Clear();
            return Results.NoContent();
        });

        return app;
    }

    private static async Task<IResult> RegisterClientAsync(HttpRequest request, ClientRegistry registry)
    {
        var (registration, error) = await ReadJsonAsync<ClientRegistration>(request);
        if (registration is null)
        {
            return InvalidRequest(error);
        }

        var problems = registration.Validate().ToList();
        if (problems.Count > 0)
        {
            return InvalidRequest(string.Join("; ", problems));
        }

        var client = registration.ToClient();
        var view = new RegisteredClient(client.ClientId, client.RedirectUris);
        return await registry.RegisterAsync(client, request.HttpContext.RequestAborted) switch
        {
            RegistrationOutcome.Created => Results.Created(
                $"/sandbox/clients/{Uri.EscapeDataString(client.ClientId)}", view),
            RegistrationOutcome.AlreadyRegistered => Results.Ok(view),
            _ => Results.Json(
                new
                {
                    error = "client_exists",
                    error_description =
                        $"Client {client.ClientId} is already registered with another secret or other redirect URIs."
                },
                statusCode: StatusCodes.Status409Conflict)
        };
    }

    private static async Task<IResult> UpdateSwitchesAsync(HttpRequest request, SandboxSwitches switches)
    {
        var (update, error) = await ReadJsonAsync<SwitchesUpdate>(request);
        if (update is null)
        {
            return InvalidRequest(error);
        }

        var problems = update.Validate().ToList();
        return problems.Count > 0 ? InvalidRequest(string.Join("; ", problems)) : Results.Ok(switches.Apply(update));
    }

    /// <summary>Reads the body ourselves so that a typo in a field name gets a 400 that says which field.</summary>
    private static async Task<(T? Value, string Error)> ReadJsonAsync<T>(HttpRequest request) where T : class
    {
        var options = request.HttpContext.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()
            .Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(
                request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? (null, "The body must be a JSON object.") : (value, "");
        }
        catch (JsonException exception)
        {
            return (null, $"The body is not valid: {exception.Message}");
        }
    }

    private static IResult InvalidRequest(string description) =>
        Results.BadRequest(new { error = OpenIddictConstants.Errors.InvalidRequest, error_description = description });
}
