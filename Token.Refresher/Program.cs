using Token.Core.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenMessaging();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
