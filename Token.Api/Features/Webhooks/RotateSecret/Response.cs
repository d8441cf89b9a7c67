namespace Token.Api.Features.Webhooks.RotateSecret;

/// <summary>The new secret, shown once; the old one still signs until <paramref name="PreviousSecretExpiresAt"/>.</summary>
public sealed record Response(Guid Id, string Secret, DateTimeOffset? PreviousSecretExpiresAt);
