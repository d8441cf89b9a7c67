namespace Token.Core.Security;

public sealed class SecretUnreadableException(string message) : Exception(message);
