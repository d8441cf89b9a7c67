namespace Token.Core.Outbound;

/// <summary>Why <see cref="OutboundRules"/> refused an outbound call; the metric's <c>reason</c> tag.</summary>
public enum OutboundRefusal
{
    /// <summary>Plain http to an origin that is not trusted.</summary>
    NotHttps,

    /// <summary>The host is, or resolves to, a loopback, private, link-local or otherwise internal address.</summary>
    InternalAddress,

    /// <summary>The answer was a redirect, which is never followed.</summary>
    Redirect,

    /// <summary>The answer is larger than <see cref="OutboundRules.MaxAnswerBytes"/>.</summary>
    TooLarge
}
