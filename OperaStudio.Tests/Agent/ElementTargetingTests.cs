using System.Net;
using System.Text.RegularExpressions;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// Which elements the agent (and an API client) can target: controls that are controls only by behaviour (a click
/// listener, a pointer cursor, a tabindex) get a ref of their own, and a description picks the control whose own
/// name matches rather than a text that quotes it, or says it is ambiguous.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed partial class ElementTargetingTests(AgentServiceFixture service)
{
    /// <summary>Controls without a role: a span in a sentence, a div with a listener, a pointer div, a tabindex div.</summary>
    private const string BehaviourControlsHtml = """
        <!doctype html><title>Controls by behaviour</title>
        <p>Read the terms, then <span onclick="say('accepted')">accept them</span> to go on.</p>
        <div id="panel">Open the panel</div>
        <div id="more" style="cursor: pointer">Show more</div>
        <div tabindex="0" onkeydown="say('key')" onfocus="say('focused')">Focus me</div>
        <p style="cursor: pointer" onclick="say('words')">WORDS</p>
        <p id="out">nothing yet</p>
        <script>
          function say(text) { document.getElementById('out').textContent = text; }
          document.getElementById('panel').addEventListener('click', () => say('panel'));
          document.addEventListener('click', e => { if (e.target.closest('#more')) say('more'); });
        </script>
        """;

    private TestPageServer Pages => service.Pages;

    [Theory]
    [InlineData("accept them", "accepted")]
    [InlineData("Open the panel", "panel")]
    [InlineData("Show more", "more")]
    [InlineData("Focus me", "focused")]
    [InlineData("Clickable words", "words")]
    public async Task ControlWithoutARole_HasExactlyOneRef_AndClickingItRunsItsHandler(string text, string handled)
    {
        var url = Pages.Page($"/targeting/behaviour-{handled}", BehaviourControlsHtml.Replace("WORDS", Words(spans: true), StringComparison.Ordinal));
        await using var session = await AgentClient.CreateAsync(service.Http, url);
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        var controls = ControlLines(snapshot, text);
        Assert.True(controls.Count == 1, $"'{text}' should be one control with a ref, found {controls.Count} in:\n{snapshot}");
        await session.ActAsync("click", new { @ref = RefIn(controls[0]) });

        Assert.Equal(handled, await OutAsync(session));
    }

    [Fact]
    public async Task SpansInheritingThePointer_DoNotGrowTheSnapshot()
    {
        var plain = Pages.Page("/targeting/plain-words", BehaviourControlsHtml.Replace("WORDS", Words(spans: false), StringComparison.Ordinal));
        var nested = Pages.Page("/targeting/span-words", BehaviourControlsHtml.Replace("WORDS", Words(spans: true), StringComparison.Ordinal));
        await using var session = await AgentClient.CreateAsync(service.Http, plain);
        var plainSnapshot = (await session.ActAsync("snapshot")).GetString()!;
        await session.ActAsync("navigate", new { url = nested.ToString() });

        var nestedSnapshot = (await session.ActAsync("snapshot")).GetString()!;

        Assert.Equal(Lines(plainSnapshot).Length, Lines(nestedSnapshot).Length);
        Assert.Equal(Refs().Count(plainSnapshot), Refs().Count(nestedSnapshot));
    }

    [Theory]
    [InlineData("button", "<button onclick=\"say('deleted')\">Delete account</button>")]
    [InlineData("styled-span", "<div class=\"toolbar\"><span class=\"btn\" onclick=\"say('deleted')\">Delete account</span> <span class=\"btn\" onclick=\"say('cancelled')\">Cancel</span></div>")]
    public async Task ClickByDescription_ClicksTheControl_NotATextQuotingIt(string kind, string control)
    {
        var url = Pages.Page($"/targeting/quoted-{kind}", $$"""
            <!doctype html><title>Account</title>
            <h2>Delete account</h2>
            <p>Press the "Delete account" button to continue</p>
            {{control}}
            <p id="out">nothing yet</p>
            <script>function say(text) { document.getElementById('out').textContent = text; }</script>
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, url);

        var result = await session.ActAsync("click", new { description = "Delete account" });

        Assert.DoesNotContain("heading", result.GetString(), StringComparison.Ordinal);
        Assert.Equal("deleted", await OutAsync(session));
    }

    [Theory]
    [InlineData("Save", "<button>Save</button><button>Save</button>")]
    [InlineData("Save", "<button>Save draft</button><button>Save changes</button>")]
    [InlineData("Delete", "<button>Delete account</button><span onclick='1'>Delete post</span>")]
    public async Task ClickByDescription_CloseCandidates_AreAnAmbiguityListingBoth_AndNothingIsClicked(string description, string buttons)
    {
        var url = Pages.Page($"/targeting/ambiguous-{Math.Abs(buttons.GetHashCode(StringComparison.Ordinal))}", $"""
            <!doctype html><title>Ambiguous</title>
            {buttons}
            <p id="out">nothing yet</p>
            <script>document.addEventListener('click', e => document.getElementById('out').textContent = 'clicked ' + e.target.textContent);</script>
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, url);

        var (status, response) = await session.ActionAsync("click", new { description });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Ok, "clicked instead of reporting the ambiguity");
        Assert.Contains("ambiguous", response.Error, StringComparison.Ordinal);
        Assert.Equal(2, Refs().Count(response.Error!));
        Assert.Equal("nothing yet", await OutAsync(session));
    }

    /// <summary>The clickable paragraph's 50 words, each in a span of its own (inheriting the pointer) or as plain text.</summary>
    private static string Words(bool spans) =>
        string.Join(' ', Enumerable.Repeat("more", 48).Prepend("words").Prepend("Clickable").Select(word => spans ? $"<span>{word}</span>" : word));

    /// <summary>Snapshot lines that carry a ref, say the element is clickable, and hold the text.</summary>
    private static List<string> ControlLines(string snapshot, string text) =>
        Lines(snapshot).Where(line => line.Contains(text, StringComparison.Ordinal) && Refs().IsMatch(line)
            && (line.Contains("[cursor=pointer]", StringComparison.Ordinal) || line.Contains("[clickable]", StringComparison.Ordinal))).ToList();

    private static string RefIn(string line) => Refs().Match(line).Groups["ref"].Value;

    private static string[] Lines(string snapshot) => snapshot.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private async Task<string> OutAsync(AgentClient session) =>
        await service.Sessions.Find(session.SessionId)!.ActiveTab.Page.EvaluateAsync<string>("() => document.getElementById('out').textContent");

    [GeneratedRegex(@"\[ref=(?<ref>[a-z0-9]+)\]")]
    private static partial Regex Refs();
}
