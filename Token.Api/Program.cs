using Token.Api.Auth;
using Token.Api.Compatibility;
using Token.Api.Import;
using Token.Api.Features.Tokens;
using Token.Api.Infrastructure;
using Token.Core.Data;
using Token.Core.Messaging;
using Token.Core.Tokens;

if (args is [MigrateCommand.Name, .. var settings])
{
    return await MigrateCommand.RunAsync(settings);
}
if (args is [ImportSeedCommand.Name, .. var importArguments])
{
    return await ImportSeedCommand.RunAsync(importArguments);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
if (!builder.Hold(TokenApiSettings.Required))
{
    return 1;
}
builder.AddTokenDatabase();
builder.AddTokenMessaging(TokenCacheInvalidation.Register);
builder.AddTokenServices();
builder.AddApiKeyAuthentication();
builder.AddTokenApi();

var app = builder.BuildIfOptionsHold();
if (app is null)
{
    return 1;
}

if (!await app.EnsureTokenSchemaAsync())
{
    return 1;
}
await app.EnsureEncryptionKeysAsync();

app.UseTokenApi();
app.MapDefaultEndpoints(LegacyHealthResponse.WriteAsync);

app.Run();
return 0;
