using Microsoft.Extensions.Hosting;
using Npgsql;
using Token.Core.Data;
using Token.Core.Messaging;
using Token.Core.Security;

namespace Token.Core;

/// <summary>What token-api and token-refresher both cannot start without, checked before anything is built.</summary>
public static class CoreSettings
{
    /// <summary>The database's connection string, in Npgsql's form.</summary>
    public static readonly RequiredSetting TokenDatabase = new(
        $"ConnectionStrings:{TokenDatabaseExtensions.ConnectionName}", (value, _) => ConnectionStringProblem(value));

    /// <summary>The keys secrets are encrypted with, newest first.</summary>
    public static readonly RequiredSetting EncryptionKeys = new("TokenEncryption:Keys", (value, _) =>
        string.IsNullOrWhiteSpace(value) || SecretProtector.SplitKeys(value).Length == 0 ? "is not set"
        : SecretProtector.SplitKeys(value).Any(key => key.Length < SecretProtector.MinKeyLength)
            ? $"holds a key shorter than {SecretProtector.MinKeyLength} characters"
            : null);

    public static readonly RequiredSetting[] Required =
    [
        TokenDatabase,
        RequiredSetting.Present($"ConnectionStrings:{MessagingExtensions.ConnectionName}"),
        EncryptionKeys
    ];

    private static string? ConnectionStringProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is not set";
        }
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return null;
        }
        catch (ArgumentException exception)
        {
            return $"is not an Npgsql connection string ({exception.Message.TrimEnd('.')})";
        }
    }
}
