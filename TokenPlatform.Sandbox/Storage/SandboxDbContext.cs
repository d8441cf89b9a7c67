using Microsoft.EntityFrameworkCore;

namespace TokenPlatform.Sandbox.Storage;

/// <summary>Holds only OpenIddict's entities (applications, authorizations, scopes, tokens).</summary>
public sealed class SandboxDbContext(DbContextOptions<SandboxDbContext> options) : DbContext(options);
