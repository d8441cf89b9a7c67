namespace Token.Api.EndpointRules;

/// <summary>A request for one client's token, which <see cref="ClientListCheck{TRequest}"/> checks.</summary>
public interface IClientTokenRequest
{
    int ClientId { get; }

    /// <summary>What the request does with the token, as the refusal says it: "read" or "refresh".</summary>
    static abstract string Verb { get; }
}
