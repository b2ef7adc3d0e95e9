using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sharing;

/// <summary>
/// <c>GET /api/sessions</c> lists the sessions shared with the caller beside their own, each marked with its owner and
/// the caller's role, so the sessions page can tell "yours" from "shared with you"; a revocation takes it off the list.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SharedSessionsListTests(BrowserServiceFixture service, TestPageServer pages)
{
    [Fact]
    public async Task TheList_HoldsSessionsSharedWithTheCaller_MarkedWithTheirRole_UntilRevoked()
    {
        var (alice, bob, carol) = (Name("alice"), Name("bob"), Name("carol"));
        using var asAlice = TestIdentity.ClientFor(service.BaseAddress, alice);
        using var asBob = TestIdentity.ClientFor(service.BaseAddress, bob);
        using var asCarol = TestIdentity.ClientFor(service.BaseAddress, carol);
        using var created = await asAlice.PostAsJsonAsync("/api/sessions", new { url = pages.Page("/sharing/listed", "<title>Listed</title>").ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<SessionDto>())!.Id;

        Assert.DoesNotContain(await ListAsync(asBob), s => s.Id == id);
        var own = Assert.Single(await ListAsync(asAlice), s => s.Id == id);
        Assert.Equal((alice, "owner"), (own.Owner, own.Role));

        using (var shared = await asAlice.PutAsJsonAsync($"/api/sessions/{id}/members/{bob}", new { role = "viewer" }))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        }

        var seen = Assert.Single(await ListAsync(asBob), s => s.Id == id);
        Assert.Equal((alice, "viewer"), (seen.Owner, seen.Role));
        Assert.NotEmpty(seen.Tabs);
        Assert.DoesNotContain(await ListAsync(asCarol), s => s.Id == id);

        using (var removed = await asAlice.DeleteAsync($"/api/sessions/{id}/members/{bob}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.DoesNotContain(await ListAsync(asBob), s => s.Id == id);
        await asAlice.DeleteAsync($"/api/sessions/{id}");
    }

    private static async Task<IReadOnlyList<SessionDto>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<SessionDto>>("/api/sessions"))!;

    private static string Name(string who) => $"{who}-{Guid.NewGuid().ToString("N")[..8]}";
}
