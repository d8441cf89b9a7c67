using Microsoft.Extensions.Hosting;
using Token.Core.Data;
using Token.Core.Messaging;
using Token.Core.Security;

namespace Token.Core;

/// <summary>What token-api and token-refresher both cannot start without, checked before anything is built.</summary>
public static class CoreSettings
{
    public static readonly RequiredSetting[] Required =
    [
        RequiredSetting.Present($"ConnectionStrings:{TokenDatabaseExtensions.ConnectionName}"),
        RequiredSetting.Present($"ConnectionStrings:{MessagingExtensions.ConnectionName}"),
        new("TokenEncryption:Keys", (value, _) =>
            string.IsNullOrWhiteSpace(value) || SecretProtector.SplitKeys(value).Length == 0 ? "is not set"
            : SecretProtector.SplitKeys(value).Any(key => key.Length < SecretProtector.MinKeyLength)
                ? $"holds a key shorter than {SecretProtector.MinKeyLength} characters"
                : null)
    ];
}
