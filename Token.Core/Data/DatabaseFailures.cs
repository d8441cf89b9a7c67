using Npgsql;

namespace Token.Core.Data;

/// <summary>What a failure of the database means for the one who met it.</summary>
public static class DatabaseFailures
{
    /// <summary>
    /// The database cannot be reached at the moment (restarting, failing over, out of connections), anywhere in the
    /// chain (EF Core wraps them): Npgsql's own failures to reach or talk to the server (network, time out, pool
    /// exhausted), or the server's refusals of a connection: class 08 (connection), 53 (too many connections, out of
    /// resources), 57 (shutting down, starting up) and 55000 (the database not accepting connections). A server error
    /// about the statement itself is not.
    /// </summary>
    public static bool IsUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException { SqlState: var state })
            {
                return state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
                    || state.StartsWith("57", StringComparison.Ordinal) || state == PostgresErrorCodes.ObjectNotInPrerequisiteState;
            }
            if (exception is NpgsqlException)
            {
                return true;
            }
        }
        return false;
    }
}
