namespace TokenPlatform.Sandbox.Controls;

public sealed record RegisteredClient(string ClientId, IReadOnlyList<string> RedirectUris);
