using System.Diagnostics.Metrics;

namespace Token.Api.Features.Tokens;

/// <summary>
/// How <c>validate</c> is answered (meter <c>Token.Api</c>): from memory, or from the database (with a refresh when
/// due).
/// </summary>
public sealed class TokenReadMetrics
{
    private static readonly KeyValuePair<string, object?> Hit = new("cache", "hit");
    private static readonly KeyValuePair<string, object?> Miss = new("cache", "miss");
    private readonly Counter<long> _reads;

    public TokenReadMetrics(IMeterFactory meters) =>
        _reads = meters.Create("Token.Api").CreateCounter<long>(
            "token.reads", "{read}", "Token reads by cache hit or miss");

    public void Read(bool fromCache) => _reads.Add(1, fromCache ? Hit : Miss);
}
