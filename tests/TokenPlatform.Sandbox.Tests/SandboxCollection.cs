namespace TokenPlatform.Sandbox.Tests;

/// <summary>One sandbox for every test class: they run one after another and reset its switches first.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxProcess>
{
    public const string Name = "sandbox";
}
