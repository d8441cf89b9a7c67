namespace Token.Gateway;

/// <summary>What the gateway cannot start without, checked before anything is built from it.</summary>
public static class GatewaySettings
{
    /// <summary>The certificate and key Kestrel serves https with (PEM files), when https is on.</summary>
    public const string CertificatePath = "Kestrel:Certificates:Default:Path";
    public const string CertificateKeyPath = "Kestrel:Certificates:Default:KeyPath";

    public static readonly RequiredSetting[] Required =
    [
        RequiredSetting.PublicUrl,
        RequiredSetting.ReadableFile(CertificatePath),
        RequiredSetting.ReadableFile(CertificateKeyPath)
    ];
}
