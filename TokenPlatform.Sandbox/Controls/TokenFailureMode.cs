namespace TokenPlatform.Sandbox.Controls;

public enum TokenFailureMode
{
    None,
    Status,
    Slow,
    /// <summary>The request is handled at once (a refresh token is rotated), its answer held back delay_ms.</summary>
    SlowAnswer,
    InvalidGrant
}
