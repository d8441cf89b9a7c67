namespace Token.Api.Features.OAuth;

/// <summary>What the callback found of the browser binding (<see cref="BrowserBinding"/>).</summary>
public enum BrowserBindingCheck
{
    Bound,
    /// <summary>The request was made before bindings existed, or its ticket was never spent.</summary>
    NoBinding,
    NoCookie,
    WrongCookie
}
