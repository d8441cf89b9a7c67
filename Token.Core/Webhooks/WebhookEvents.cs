using Token.Contracts;

namespace Token.Core.Webhooks;

/// <summary>
/// The events webhooks carry, by the name the API and the payload's <c>type</c> use (<c>token.refreshed</c>) and by
/// the message type the outbox and the webhooks table store (<c>Token.Contracts.TokenRefreshed</c>).
/// </summary>
public static class WebhookEvents
{
    private static readonly Dictionary<string, Type> ByName = new()
    {
        ["token.issued"] = typeof(TokenIssued),
        ["token.refreshed"] = typeof(TokenRefreshed),
        ["token.refresh_failed"] = typeof(TokenRefreshFailed),
        ["token.reauthorization_required"] = typeof(TokenReauthorizationRequired),
        ["token.revoked"] = typeof(TokenRevoked),
        ["client.deactivated"] = typeof(ClientDeactivated)
    };

    private static readonly Dictionary<string, string> NameByMessageType =
        ByName.ToDictionary(pair => pair.Value.FullName!, pair => pair.Key);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static string MessageType(string name) => ByName[name].FullName!;

    public static string Name(string messageType) => NameByMessageType[messageType];

    public static Type ContractType(string messageType) => ByName[Name(messageType)];
}
