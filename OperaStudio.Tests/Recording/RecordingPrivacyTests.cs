using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Recording;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>What a recording keeps of typing: how many characters, never which — least of all in a password field.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingPrivacyTests(RecordingServiceFixture service)
{
    [Fact]
    public async Task PasswordKeystrokes_AreCountedOnly_NowhereInEventsDatabaseOrIndex()
    {
        const string secret = "Qx7Zq9Wv3";
        var page = service.Pages.Page("/recording/password", """
            <!doctype html><title>Sign in</title>
            <style>body{margin:0} #pw{position:absolute;left:100px;top:80px;width:300px;height:30px}</style>
            <input id="pw" type="password" aria-label="Password">
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, page);
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.SessionId);
        await viewer.FirstFrame;
        await viewer.ClickAsync(250, 95);
        foreach (var key in secret)
        {
            await viewer.KeyAsync(key.ToString());
        }

        await Eventually.TrueAsync(
            async () => await service.Sessions.Find(session.SessionId)!.ActiveTab.Page.EvaluateAsync<int>("() => document.getElementById('pw').value.length") == secret.Length,
            "the password typed into the field", TimeSpan.FromSeconds(15));
        await RecordingClient.StopAsync(service.Http, session.SessionId);

        var detail = await RecordingClient.DetailWhenAsync(service.Http, recording.Id,
            d => d.Events.Any(e => e is { Kind: "input", Actor: "human" } && e.Title == $"typed {secret.Length} character(s)"),
            "the typing as a count");
        var stored = string.Join("\n", detail.Events.Select(e => $"{e.Title} {e.Detail} {e.Outcome}"));
        Assert.Contains(detail.Events, e => e is { Kind: "click", Actor: "human" } && e.Detail!.Contains("input#pw", StringComparison.Ordinal));
        AssertHoldsNoPart(stored, secret);

        // Everything stored for it, straight from PostgreSQL and the files.
        var factory = service.Services.GetRequiredService<IDbContextFactory<OperaDbContext>>();
        await using var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var rows = await db.RecordingEvents.AsNoTracking().Where(e => e.RecordingId == recording.Id).ToListAsync(TestContext.Current.CancellationToken);
        var actions = await db.Actions.AsNoTracking().Where(a => a.SessionId == session.SessionId).ToListAsync(TestContext.Current.CancellationToken);
        AssertHoldsNoPart(
            string.Join("\n", rows.Select(r => string.Join(" ", r.Title, r.Detail, r.Outcome, r.Tool, r.User, r.ThumbnailUrl)))
            + string.Join("\n", actions.Select(a => string.Join(" ", a.Kind, a.Target, a.Detail))),
            secret);
        var directory = FrameStore.DirectoryOf(service.Services.GetRequiredService<Recorders>().Root, recording.Id);
        AssertHoldsNoPart(System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(directory, FrameStore.IndexFile), TestContext.Current.CancellationToken)), secret);
    }

    /// <summary>Not the secret, nor any three characters of it in a row.</summary>
    private static void AssertHoldsNoPart(string stored, string secret)
    {
        for (var i = 0; i + 3 <= secret.Length; i++)
        {
            Assert.DoesNotContain(secret.Substring(i, 3), stored, StringComparison.Ordinal);
        }
    }
}
