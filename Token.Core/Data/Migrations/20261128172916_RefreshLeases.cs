using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Token.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class RefreshLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "failure_count",
                table: "tokens",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "tokens",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lease_owner",
                table: "tokens",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "lease_until",
                table: "tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "refresh_due_at",
                table: "tokens",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Grants stored before this migration are looked at once their old five-minute buffer begins.
            migrationBuilder.Sql("UPDATE tokens SET refresh_due_at = expires_at - interval '5 minutes'");

            // The outbox relay LISTENs on this channel, so an event goes out as soon as its transaction commits.
            migrationBuilder.Sql("""
                CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('outbox', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
                """);

            migrationBuilder.CreateIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens",
                column: "refresh_due_at",
                filter: "is_valid AND NOT is_revoked");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER outbox_inserted ON outbox; DROP FUNCTION outbox_notify();");

            migrationBuilder.DropIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "failure_count",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "lease_owner",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "lease_until",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "refresh_due_at",
                table: "tokens");
        }
    }
}
