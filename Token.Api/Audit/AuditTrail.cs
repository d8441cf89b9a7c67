using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Token.Core.Data;

namespace Token.Api.Audit;

/// <summary>
/// Writes each admin change to <c>audit_entries</c>: the caller's key id, the action, its target, the names of the
/// fields it set (never their values), the time and the caller's address. An entry joins the request's
/// <see cref="TokenDbContext"/>, so the save (or transaction) that writes the change writes its entry too, or neither.
/// </summary>
public sealed partial class AuditTrail(
    TokenDbContext db, IHttpContextAccessor http, TimeProvider time, ILogger<AuditTrail> logger)
{
    private readonly List<AuditEntry> _unsaved = [];

    public void Record(AuditAction action, object? target, IReadOnlyList<string>? changedFields = null)
    {
        var context = http.HttpContext
            ?? throw new InvalidOperationException("Admin changes are recorded while their request runs.");
        var entry = new AuditEntry
        {
            OccurredAt = time.GetUtcNow(),
            Actor = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown",
            ClientAddress = AddressOf(context),
            Action = action.ToTag(),
            Target = Convert.ToString(target, CultureInfo.InvariantCulture),
            ChangedFields = [.. changedFields ?? []],
            TraceId = Activity.Current?.TraceId.ToString()
        };
        db.AuditEntries.Add(entry);
        if (_unsaved.Count == 0)
        {
            db.SavedChanges += LogSaved;
        }
        _unsaved.Add(entry);
    }

    /// <summary>A change of a tracked row: its fields are those EF Core sees changed (or set, when added).</summary>
    public void Record(AuditAction action, object target, EntityEntry changed) =>
        Record(action, target, ChangedFields(changed));

    /// <summary>
    /// Saves a new row with its entry, in one transaction: the entry's target is the row's id, which only the insert
    /// assigns.
    /// </summary>
    public async Task SaveCreatedAsync<TEntity>(
        AuditAction action, TEntity created, Func<TEntity, object> target, CancellationToken ct)
        where TEntity : class
    {
        var fields = ChangedFields(db.Entry(created));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        Record(action, target(created), fields);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The fields, as the API names them, that a change of a tracked row set: the modified ones, or every one with a
    /// value when the row is new. Its id and timestamps are not the caller's doing.
    /// </summary>
    public static IReadOnlyList<string> ChangedFields(EntityEntry entry)
    {
        entry.DetectChanges();
        return [.. entry.Properties
            .Where(property => !property.Metadata.IsPrimaryKey()
                && property.Metadata.Name is not ("CreatedAt" or "UpdatedAt")
                && (entry.State == EntityState.Added ? property.CurrentValue is not null : property.IsModified))
            .Select(property => JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Metadata.Name))];
    }

    private static string? AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : null;

    private void LogSaved(object? sender, SavedChangesEventArgs e)
    {
        foreach (var entry in _unsaved)
        {
            LogChange(entry.Action, entry.Target, entry.Actor, entry.ClientAddress, entry.ChangedFields);
        }
        _unsaved.Clear();
        db.SavedChanges -= LogSaved;
    }

    [LoggerMessage(
        LogLevel.Information,
        "Admin change {AuditAction} of {AuditTarget} by API key {ApiKeyId} from {ClientAddress}: {ChangedFields}")]
    private partial void LogChange(
        string auditAction, string? auditTarget, string apiKeyId, string? clientAddress, List<string> changedFields);
}
