using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Workflows.Schedules;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>Scheduled runs: started when the cron expression comes due (once per due time), listed, and flagged when their data changed.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class WorkflowScheduleTests(BrowserServiceFixture service)
{
    // Once a year: the service's own timer never finds it due while the test runs; the test ticks at chosen times.
    private const string Yearly = "0 0 1 1 *";

    [Fact]
    public async Task Schedule_DueTimes_StartOneRunEachWithItsInputsAndFlagChangedData()
    {
        using var http = TestIdentity.ClientFor(service.BaseAddress, "schedule-owner");
        var price = "$10";
        var page = service.Pages.Handle("/schedule/price", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync($"<title>Price</title><p>{WebUtility.HtmlEncode(context.Request.Query["item"].ToString())} costs {price}</p>");
        });
        var definition = new WorkflowDefinitionDto(
            "Watch a price",
            null,
            [new WorkflowParameterDto("item")],
            [
                JsonSerializer.SerializeToElement(new { action = "navigate", url = page + "?item={{item}}" }),
                JsonSerializer.SerializeToElement(new { action = "get_content", name = "page", format = "text" }),
            ],
            Yearly,
            JsonSerializer.SerializeToElement(new { item = "lamp" }));
        using var created = await http.PostAsJsonAsync("/api/workflows", definition);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var workflow = (await created.Content.ReadFromJsonAsync<WorkflowDto>())!;
        var scheduler = service.Services.GetRequiredService<WorkflowScheduler>();
        var ct = TestContext.Current.CancellationToken;
        try
        {
            Assert.Empty(await scheduler.TickAsync(workflow.UpdatedAt.AddMinutes(5), ct));

            var first = await RunAtAsync(http, scheduler, workflow.UpdatedAt.AddYears(1), ct);
            Assert.Equal("lamp", first.Inputs.GetProperty("item").GetString());
            Assert.Null(first.Changed);
            Assert.Contains("lamp costs $10", first.Outputs.GetProperty("page").GetString(), StringComparison.Ordinal);

            // The same due time is not run twice.
            Assert.Empty(await scheduler.TickAsync(workflow.UpdatedAt.AddYears(1), ct));

            price = "$12";
            var second = await RunAtAsync(http, scheduler, workflow.UpdatedAt.AddYears(2), ct);
            Assert.True(second.Changed);

            var third = await RunAtAsync(http, scheduler, workflow.UpdatedAt.AddYears(3), ct);
            Assert.False(third.Changed);

            var listed = (await http.GetFromJsonAsync<WorkflowRunSummaryDto[]>($"/api/workflows/{workflow.Id}/runs", ct))!;
            Assert.Equal([third.Id, second.Id, first.Id], listed.Select(r => r.Id));
            Assert.All(listed, r => Assert.Equal(WorkflowActions.ScheduleTrigger, r.Trigger));
            Assert.Equal([false, true, null], listed.Select(r => r.Changed));
        }
        finally
        {
            (await http.DeleteAsync($"/api/workflows/{workflow.Id}", ct)).Dispose();
        }

        Assert.Empty(await scheduler.TickAsync(workflow.UpdatedAt.AddYears(4), ct));
    }

    [Fact]
    public void ScheduleTimes_LatestDue_CollapsesMissedTimesAndChecksTheExpression()
    {
        var since = new DateTimeOffset(2026, 12, 7, 10, 0, 30, TimeSpan.Zero);

        Assert.Equal(since.AddMinutes(14.5), ScheduleTimes.LatestDue("*/5 * * * *", since, since.AddMinutes(17)));
        Assert.Null(ScheduleTimes.LatestDue("*/5 * * * *", since, since.AddMinutes(4)));
        Assert.Null(ScheduleTimes.Problem("30 6 * * 1-5"));
        Assert.Contains("not a valid", ScheduleTimes.Problem("61 * * * *"), StringComparison.Ordinal);
    }

    private static async Task<WorkflowRunDto> RunAtAsync(HttpClient http, WorkflowScheduler scheduler, DateTimeOffset now, CancellationToken ct)
    {
        var started = Assert.Single(await scheduler.TickAsync(now, ct));
        Assert.Equal(WorkflowActions.ScheduleTrigger, started.Trigger);
        var run = await Eventually.ValueAsync(
            async () => (await http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{started.Id}", ct))!,
            r => WorkflowRunStatuses.IsFinal(r.Status),
            "the scheduled run to end",
            TimeSpan.FromMinutes(2),
            r => $"{r.Status}: {r.Error}");
        Assert.True(run.Status == WorkflowRunStatuses.Completed, run.Error);
        return run;
    }
}
