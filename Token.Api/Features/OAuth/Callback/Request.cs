using FastEndpoints;

namespace Token.Api.Features.OAuth.Callback;

public sealed class Request
{
    public string? Code { get; init; }
    public string? State { get; init; }
    public string? Error { get; init; }

    [BindFrom("error_description")]
    public string? ErrorDescription { get; init; }
}
