using FastEndpoints;
using Token.Core.Data;
using Token.Core.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenDatabase();
builder.AddTokenMessaging();
builder.Services.AddFastEndpoints();

var app = builder.Build();

await app.MigrateTokenDatabaseAsync();

app.UseFastEndpoints();
app.MapDefaultEndpoints();

app.Run();
