using Npgsql;

namespace Token.Refresher;

/// <summary>
/// A connection that LISTENs on one PostgreSQL channel, so a loop wakes as soon as a transaction that NOTIFYs it
/// commits. A notification only says "there is something": however many arrive while the loop works, they wake its
/// next wait once.
/// </summary>
public sealed class DatabaseNotifications : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly SemaphoreSlim _notified = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _listening;

    private DatabaseNotifications(NpgsqlConnection connection)
    {
        _connection = connection;
        _connection.Notification += (_, _) =>
        {
            if (_notified.CurrentCount == 0)
            {
                _notified.Release();
            }
        };
        _listening = ListenAsync(connection, _stop.Token);
    }

    public static async Task<DatabaseNotifications> ListenAsync(
        NpgsqlDataSource database, string channel, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
            await listen.ExecuteNonQueryAsync(ct);
            return new DatabaseNotifications(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for a notification or <paramref name="timeout"/>, whichever comes first. Throws when the listening
    /// connection failed: the caller starts over with a new one.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var woken = _notified.WaitAsync(timeout, ct);
        if (await Task.WhenAny(woken, _listening) == _listening)
        {
            await _listening;
        }
        await woken;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // It ends with that cancellation, or with the failure WaitAsync already rethrew.
        await _listening.ContinueWith(_ => { }, TaskScheduler.Default);
        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private static async Task ListenAsync(NpgsqlConnection listener, CancellationToken ct)
    {
        // Notifications are raised one at a time, by WaitAsync on this connection.
        while (true)
        {
            await listener.WaitAsync(ct);
        }
    }
}
