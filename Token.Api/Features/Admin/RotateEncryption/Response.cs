namespace Token.Api.Features.Admin.RotateEncryption;

/// <param name="Reencrypted">Values this rotation moved to the newest key.</param>
/// <param name="UnderOlderKeys">Values still under an older key afterwards: 0 means older keys can go.</param>
/// <param name="Unreadable">Values no configured key reads (reported <c>unreadable</c> where they are used).</param>
public sealed record Response(int Reencrypted, long UnderOlderKeys, int Unreadable);
