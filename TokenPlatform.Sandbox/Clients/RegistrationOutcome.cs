namespace TokenPlatform.Sandbox.Clients;

public enum RegistrationOutcome
{
    Created,
    AlreadyRegistered,
    Conflict
}
