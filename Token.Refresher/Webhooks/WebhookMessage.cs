using System.Text.Json;
using System.Text.Json.Nodes;
using Token.Core.Webhooks;

namespace Token.Refresher.Webhooks;

/// <summary>
/// The body a webhook receives: <c>{"type": "token.refreshed", "timestamp": …, "data": {…}}</c> as the Standard
/// Webhooks specification shapes it, with the event's fields in snake_case and datetimes a Python caller parses, as in
/// the HTTP API's answers. Built from the outbox's copy of the event, so every attempt sends the same bytes.
/// </summary>
public static class WebhookMessage
{
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new PythonIsoDateTimeConverter() }
    };

    public static string Body(string messageType, string payload)
    {
        var type = WebhookEvents.ContractType(messageType);
        var message = JsonSerializer.Deserialize(payload, type, JsonSerializerOptions.Web)!;
        var data = JsonSerializer.SerializeToNode(message, type, BodyOptions)!;
        return new JsonObject
        {
            ["type"] = WebhookEvents.Name(messageType),
            ["timestamp"] = data["occurred_at"]!.DeepClone(),
            ["data"] = data
        }.ToJsonString();
    }
}
