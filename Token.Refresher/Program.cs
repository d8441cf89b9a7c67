using Token.Core;
using Token.Core.Data;
using Token.Core.Messaging;
using Token.Core.Tokens;
using Token.Refresher;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
if (!builder.Hold(CoreSettings.Required))
{
    return 1;
}
builder.AddTokenDatabase();
builder.AddTokenMessaging();
builder.AddTokenServices();
builder.AddTokenRefresher();

var app = builder.BuildIfOptionsHold();
if (app is null)
{
    return 1;
}

app.MapDefaultEndpoints();

app.Run();
return 0;
