using Microsoft.Extensions.Options;
using Token.Core.Security;

namespace Token.Core.Tests.Security;

public sealed class SecretProtectorTests
{
    private const string OldKey = "old-key-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string NewKey = "new-key-0123456789abcdefghijklmnopqrstuvwxyz";

    private static SecretProtector Protector(string keys) =>
        new(Options.Create(new SecretEncryptionOptions { Keys = keys }));

    [Fact]
    public void A_secret_comes_back_only_for_the_row_and_kind_it_was_written_for()
    {
        var protector = Protector(NewKey);
        var ciphertext = protector.Protect("ya29.access-token", SecretContext.AccessToken(1));

        Assert.Equal("ya29.access-token", protector.Unprotect(ciphertext, SecretContext.AccessToken(1)));
        Assert.Throws<SecretUnreadableException>(() => protector.Unprotect(ciphertext, SecretContext.AccessToken(2)));
        Assert.Throws<SecretUnreadableException>(() => protector.Unprotect(ciphertext, SecretContext.RefreshToken(1)));
    }

    [Fact]
    public void The_ciphertext_carries_no_plaintext_and_differs_every_time()
    {
        var protector = Protector(NewKey);

        var first = protector.Protect("refresh-token-value", SecretContext.RefreshToken(1));
        var second = protector.Protect("refresh-token-value", SecretContext.RefreshToken(1));

        Assert.NotEqual(first, second);
        Assert.DoesNotContain("refresh-token-value", System.Text.Encoding.UTF8.GetString(first));
    }

    [Fact]
    public void An_altered_ciphertext_is_refused()
    {
        var protector = Protector(NewKey);
        var ciphertext = protector.Protect("secret", SecretContext.ClientSecret("client-a"));
        ciphertext[^1] ^= 1;

        Assert.Throws<SecretUnreadableException>(() =>
            protector.Unprotect(ciphertext, SecretContext.ClientSecret("client-a")));
    }

    [Fact]
    public void During_a_rotation_old_values_still_decrypt_and_new_ones_use_the_newest_key()
    {
        var before = Protector(OldKey).Protect("secret", SecretContext.ClientSecret("client-a"));
        var during = Protector($"{NewKey},{OldKey}");

        Assert.Equal("secret", during.Unprotect(before, SecretContext.ClientSecret("client-a")));
        Assert.False(during.IsUnderNewestKey(before));

        var rewritten = during.Protect(during.Unprotect(before, SecretContext.ClientSecret("client-a")),
            SecretContext.ClientSecret("client-a"));
        Assert.True(during.IsUnderNewestKey(rewritten));
        Assert.Equal("secret", Protector(NewKey).Unprotect(rewritten, SecretContext.ClientSecret("client-a")));
    }

    [Fact]
    public void A_value_under_a_key_that_was_removed_is_refused_not_garbled()
    {
        var before = Protector(OldKey).Protect("secret", SecretContext.ClientSecret("client-a"));

        var error = Assert.Throws<SecretUnreadableException>(() =>
            Protector(NewKey).Unprotect(before, SecretContext.ClientSecret("client-a")));
        Assert.Contains("no longer configured", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("too-short")]
    public void Missing_or_weak_keys_stop_the_service_at_start(string keys) =>
        Assert.Throws<InvalidOperationException>(() => Protector(keys));
}
