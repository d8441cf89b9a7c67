using Token.Core.Data;
using Token.Core.Messaging;
using Token.Core.Tokens;
using Token.Refresher;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenDatabase();
builder.AddTokenMessaging();
builder.AddTokenServices();
builder.AddTokenRefresher();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
