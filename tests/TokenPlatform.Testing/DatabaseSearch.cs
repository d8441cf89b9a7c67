using System.Text;
using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>Looks for a value anywhere in a database, as someone with a copy of it would.</summary>
public static class DatabaseSearch
{
    /// <summary>
    /// Rows of every table in the public schema whose text holds <paramref name="value"/> (bytea as hex too, so a
    /// value stored unencrypted as bytes is found as well).
    /// </summary>
    public static async Task<int> CountRowsContainingAsync(NpgsqlConnection db, string value)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", db))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value));
        var found = 0;
        foreach (var table in tables)
        {
            await using var search = new NpgsqlCommand(
                $"SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, @value) > 0 OR strpos(t::text, @hex) > 0",
                db);
            search.Parameters.AddWithValue("value", value);
            search.Parameters.AddWithValue("hex", hex);
            found += (int)(long)(await search.ExecuteScalarAsync())!;
        }
        return found;
    }
}
