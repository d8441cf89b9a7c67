namespace Token.Api.Features.Admin.RotateEncryption;

public sealed record Response(int Reencrypted);
