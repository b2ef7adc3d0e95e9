using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OperaStudio.BrowserService.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChatAuthors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Author",
                table: "chat_messages",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Author",
                table: "chat_messages");
        }
    }
}
