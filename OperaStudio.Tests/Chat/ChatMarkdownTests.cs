extern alias web;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ChatMarkdown = web::OperaStudio.Web.Components.Chat.ChatMarkdown;

namespace OperaStudio.Tests.Chat;

/// <summary>
/// The chat's Markdown, rendered to HTML by Blazor's own static renderer (no browser): what it supports, and that the
/// model's text can never become markup.
/// </summary>
public sealed class ChatMarkdownTests
{
    [Fact]
    public async Task Paragraphs_LineBreaks_CodeSpans_BoldAndItalic()
    {
        var html = await RenderAsync("First line with `a <b> code`\nsecond **bold** and *italic*.\n\nNew paragraph; snake_case_names stay as they are.");

        Assert.Equal(
            "<p>First line with <code>a &lt;b&gt; code</code><br />second <strong>bold</strong> and <em>italic</em>.</p>"
            + "<p>New paragraph; snake_case_names stay as they are.</p>",
            html);
    }

    [Fact]
    public async Task FencedCode_KeepsItsLinesAndMarkupAsText()
    {
        var html = await RenderAsync("Run this:\n```js\nconst a = '<script>';\n  **not bold**\n```\nDone.");

        Assert.Equal(
            "<p>Run this:</p><pre class=\"md-pre\"><code>const a = &#x27;&lt;script&gt;&#x27;;&#xA;  **not bold**</code></pre><p>Done.</p>",
            html);
    }

    [Fact]
    public async Task BulletAndNumberedLists()
    {
        var html = await RenderAsync("Found:\n- Apple, `1.20`\n- Banana\n  (on sale)\n\n1. first\n2. second");

        Assert.Equal(
            "<p>Found:</p><ul><li>Apple, <code>1.20</code></li><li>Banana (on sale)</li></ul><ol><li>first</li><li>second</li></ol>",
            html);
    }

    [Fact]
    public async Task Links_OpenInANewTab_OnlyForWebAndMailAddresses()
    {
        var html = await RenderAsync("See [the docs](https://example.com/docs), https://example.org/a_(b). or mail [me](mailto:a@example.com); "
            + "not [this](javascript:alert(1)) nor [that](/relative).");

        Assert.Equal(
            "<p>See <a href=\"https://example.com/docs\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">the docs</a>, "
            + "<a href=\"https://example.org/a_(b)\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">https://example.org/a_(b)</a>. "
            + "or mail <a href=\"mailto:a@example.com\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">me</a>; "
            + "not [this](javascript:alert(1)) nor [that](/relative).</p>",
            html);
    }

    [Fact]
    public async Task Html_FromTheModel_IsNeverMarkup()
    {
        var html = await RenderAsync("<img src=x onerror=alert(1)> <script>alert(2)</script> [x](https://a.example/\"onmouseover=\"alert(3))");

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\"onmouseover", html, StringComparison.Ordinal);
        Assert.StartsWith("<p>&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(2)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetupInstructions_ShowVariablesAndKeysAsCode()
    {
        var html = await RenderAsync(
            "Set GEMINI_API_KEY=<key> (or Agent__ApiKey=<key>), or `dotnet user-secrets set \"Agent:ApiKey\" \"<key>\"`. "
            + "Use Agent__BaseUrl=http://127.0.0.1:11434/v1 and Agent__Model=<model>. The limit (Agent:MaxSteps) was reached.",
            configurationAsCode: true);

        Assert.Equal(
            "<p>Set <code>GEMINI_API_KEY=&lt;key&gt;</code> (or <code>Agent__ApiKey=&lt;key&gt;</code>), or "
            + "<code>dotnet user-secrets set &quot;Agent:ApiKey&quot; &quot;&lt;key&gt;&quot;</code>. "
            + "Use <code>Agent__BaseUrl=http://127.0.0.1:11434/v1</code> and <code>Agent__Model=&lt;model&gt;</code>. "
            + "The limit (<code>Agent:MaxSteps</code>) was reached.</p>",
            html);
    }

    [Fact]
    public async Task UnfinishedMarkdown_WhileStreaming_RendersAsText()
    {
        Assert.Equal("<p>Let me **sa</p>", await RenderAsync("Let me **sa"));
        Assert.Equal("<p>Here: <code>x</code> and `y</p>", await RenderAsync("Here: `x` and `y"));
        Assert.Equal("<pre class=\"md-pre\"><code>partial code</code></pre>", await RenderAsync("```\npartial code"));
    }

    private static async Task<string> RenderAsync(string text, bool configurationAsCode = false)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(Fragment.Content)] = ChatMarkdown.Render(text, configurationAsCode),
            });
            var output = await renderer.RenderComponentAsync<Fragment>(parameters);
            return output.ToHtmlString();
        });
    }

    /// <summary>Renders a fragment and nothing else.</summary>
    private sealed class Fragment : ComponentBase
    {
        [Parameter]
        public RenderFragment? Content { get; set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, Content);
    }
}
