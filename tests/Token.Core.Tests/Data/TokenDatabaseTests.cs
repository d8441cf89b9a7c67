using Npgsql;
using Token.Core.Data;

namespace Token.Core.Tests.Data;

public sealed class TokenDatabaseTests
{
    [Fact]
    public void Statements_are_prepared_automatically_unless_the_connection_string_says_otherwise()
    {
        Assert.Equal(64, MaxAutoPrepare("Host=db;Database=tokendb"));
        Assert.Equal(0, MaxAutoPrepare("Host=db;Database=tokendb;Max Auto Prepare=0"));
        Assert.Equal(0, MaxAutoPrepare("Host=db;Database=tokendb;MaxAutoPrepare=0"));
        Assert.Equal(10, MaxAutoPrepare("Host=db;Database=tokendb;max auto prepare=10"));
    }

    private static int MaxAutoPrepare(string connectionString) =>
        new NpgsqlConnectionStringBuilder(TokenDatabaseExtensions.WithPreparedStatements(connectionString))
            .MaxAutoPrepare;
}
