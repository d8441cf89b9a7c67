namespace TokenPlatform.Sandbox.Controls;

public enum TokenFailureMode
{
    None,
    Status,
    Slow,
    InvalidGrant
}
