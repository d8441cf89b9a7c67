namespace Token.Core.Outbound;

/// <summary>
/// An outbound call the rules stopped. It is an <see cref="HttpRequestException"/>, so callers treat it as a provider
/// that could not be reached.
/// </summary>
public sealed class OutboundRefusedException(OutboundRefusal reason, string message)
    : HttpRequestException(message)
{
    public OutboundRefusal Reason { get; } = reason;
}
