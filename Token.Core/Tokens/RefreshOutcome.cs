using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Core.Tokens;

public sealed record RefreshOutcome(OAuthToken? Token, ProviderError? Error);
