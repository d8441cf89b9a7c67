using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Token.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class RefreshPause : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens");

            migrationBuilder.AddColumn<string>(
                name: "refresh_paused_reason",
                table: "tokens",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens",
                column: "refresh_due_at",
                filter: "is_valid AND NOT is_revoked AND refresh_paused_reason IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens");

            migrationBuilder.DropColumn(
                name: "refresh_paused_reason",
                table: "tokens");

            migrationBuilder.CreateIndex(
                name: "ix_tokens_refresh_due_at",
                table: "tokens",
                column: "refresh_due_at",
                filter: "is_valid AND NOT is_revoked");
        }
    }
}
