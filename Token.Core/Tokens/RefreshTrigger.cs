namespace Token.Core.Tokens;

/// <summary>What started a refresh. Events and the <c>trigger</c> metric tag carry it as its tag.</summary>
public enum RefreshTrigger
{
    /// <summary>token-refresher found the token due.</summary>
    Scheduled,

    /// <summary>A read found the token due and refreshed it before answering.</summary>
    OnDemand,

    /// <summary>A caller asked for it: <c>POST /tokens/refresh</c>.</summary>
    Manual
}
