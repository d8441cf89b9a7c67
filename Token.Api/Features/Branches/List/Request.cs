using FastEndpoints;

namespace Token.Api.Features.Branches.List;

public sealed class Request
{
    [QueryParam, BindFrom("client_id")]
    public int? ClientId { get; init; }

    [QueryParam, BindFrom("location_id")]
    public string? LocationId { get; init; }
}
