using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Token.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ConsentBrowserBinding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "browser_binding",
                table: "oauth_states",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "browser_binding",
                table: "oauth_states");
        }
    }
}
