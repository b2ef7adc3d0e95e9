using Microsoft.Playwright;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>What the remote page asks of the user, answered in the panel: JavaScript dialogs, file choosers, downloads.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class PanelEventsTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private TestPageServer Pages => web.Service.Pages;

    [Fact]
    public async Task JavaScriptDialogs_AlertConfirmAndPrompt_AreAnsweredFromThePanel()
    {
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/events/dialogs", TestPages.Dialogs));
        var dialog = panel.Page.GetByTestId("js-dialog");

        await panel.ClickRemoteAsync(150, 128);
        await Expect(dialog).ToHaveAttributeAsync("data-dialog-type", "alert");
        await Expect(panel.Page.GetByTestId("dialog-message")).ToHaveTextAsync("Hello from the page");
        await Expect(dialog).ToContainTextAsync("127.0.0.1");
        await panel.Page.GetByTestId("dialog-accept").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await panel.WaitForRemoteAsync("window.results.join('|')", "alert done");
        await Expect(dialog).ToHaveCountAsync(0); // The panel hears the dialog closed a moment after the page does.

        await panel.ClickRemoteAsync(150, 208);
        await Expect(dialog).ToHaveAttributeAsync("data-dialog-type", "confirm");
        await Expect(panel.Page.GetByTestId("dialog-message")).ToHaveTextAsync("Delete everything?");
        await panel.Page.GetByTestId("dialog-dismiss").ClickAsync();
        await panel.WaitForRemoteAsync("window.results.join('|')", "alert done|confirm false");
        await Expect(dialog).ToHaveCountAsync(0);

        await panel.ClickRemoteAsync(150, 288);
        await Expect(dialog).ToHaveAttributeAsync("data-dialog-type", "prompt");
        await Expect(panel.Page.GetByTestId("dialog-input")).ToHaveValueAsync("Ada");
        await panel.Page.GetByTestId("dialog-input").FillAsync("Grace");
        await panel.Page.GetByTestId("dialog-input").PressAsync("Enter");
        await panel.WaitForRemoteAsync("window.results.join('|')", "alert done|confirm false|prompt Grace");
        await Expect(dialog).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task FileChooser_TheUserPicksAFileInThePanel_AndTheRemotePageReceivesIt()
    {
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/events/upload", TestPages.Upload));

        await panel.ClickRemoteAsync(100, 125);
        var chooser = panel.Page.GetByTestId("file-chooser");
        await Expect(chooser).ToBeVisibleAsync();
        await Expect(panel.Page.GetByTestId("file-chooser-upload")).ToBeDisabledAsync();
        await panel.Page.GetByTestId("file-chooser-input").SetInputFilesAsync(new FilePayload
        {
            Name = "notes.txt",
            MimeType = "text/plain",
            Buffer = "twelve bytes"u8.ToArray(),
        });
        await panel.Page.GetByTestId("file-chooser-upload").ClickAsync();

        await Expect(chooser).ToHaveCountAsync(0);
        await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "notes.txt:12");
    }

    [Fact]
    public async Task Download_IsOfferedInThePanel_AndItsBytesComeThroughTheWebAppsProxy()
    {
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7 % 251)).ToArray();
        var file = Pages.Handle("/events/report.bin", context =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"report.bin\"";
            return context.Response.Body.WriteAsync(bytes).AsTask();
        });
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/events/download", TestPages.DownloadLink(file.ToString())));

        await panel.ClickRemoteAsync(190, 120);

        var snackLink = panel.Page.GetByTestId("download-snack-link");
        await Expect(snackLink).ToHaveTextAsync("report.bin");
        await Expect(panel.Page.GetByTestId("downloads")).ToHaveAttributeAsync("data-count", "1");
        await panel.Page.GetByTestId("downloads").ClickAsync();
        var link = panel.Page.GetByTestId("download-link");
        await Expect(link).ToContainTextAsync("report.bin");
        var href = await link.GetAttributeAsync("href");
        Assert.StartsWith($"/api/sessions/{panel.SessionId}/downloads/", href, StringComparison.Ordinal);
        Assert.Equal(href, await snackLink.GetAttributeAsync("href"));

        var fetched = await web.Http.GetByteArrayAsync(href);
        Assert.Equal(bytes, fetched);
    }
}
