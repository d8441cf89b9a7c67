using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Token.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class RefreshAttemptIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_tokens_refresh_attempted_at",
                table: "tokens",
                column: "refresh_attempted_at",
                filter: "refresh_attempted_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tokens_refresh_attempted_at",
                table: "tokens");
        }
    }
}
