using System.Net;
using Microsoft.AspNetCore.Http;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// Two small shops on loopback selling the same products at different prices. Shop A searches with a form and a
/// results page (an HTML table); shop B filters as you type, drawing its table with a script. The "Research Product
/// Pricing" workflow searches both, extracts the products with one schema and compares them.
/// </summary>
internal static class ShopSites
{
    /// <summary>Name, shop A's price, shop B's price.</summary>
    public static readonly (string Name, decimal A, decimal B)[] Products =
    [
        ("Wireless Headphones Pro", 199.00m, 179.50m),
        ("Wireless Headphones Lite", 59.99m, 64.00m),
        ("Wired Earbuds", 19.99m, 17.00m),
    ];

    public const string ProductSchema = """
        {"type": "array", "minItems": 1, "items": {"type": "object",
          "properties": {"name": {"type": "string", "title": "Name"}, "price": {"type": "number", "title": "Price"}},
          "required": ["name", "price"]}}
        """;

    /// <summary>Serves both shops under <paramref name="prefix"/>; returns their front pages.</summary>
    public static (Uri ShopA, Uri ShopB) Serve(TestPageServer pages, string prefix)
    {
        var shopA = pages.Page($"/{prefix}/shop-a/", """
            <!doctype html><title>Shop A</title><h1>Shop A</h1>
            <form action="search" method="get"><label for="q">Search</label> <input id="q" name="q"> <button type="submit">Search</button></form>
            """);
        pages.Handle($"/{prefix}/shop-a/search", context =>
        {
            var query = context.Request.Query["q"].ToString();
            var rows = string.Concat(Products.Where(p => p.Name.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase))
                .Select(p => $"<tr><td>{WebUtility.HtmlEncode(p.Name)}</td><td>${p.A:0.00}</td></tr>"));
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync($"""
                <!doctype html><title>Shop A: {WebUtility.HtmlEncode(query)}</title><h1>Results for {WebUtility.HtmlEncode(query)}</h1>
                <table><thead><tr><th>Name</th><th>Price</th></tr></thead><tbody>{rows}</tbody></table>
                """);
        });
        var products = string.Join(",", Products.Select(p => $"[\"{p.Name}\", \"{p.B:0.00} USD\"]"));
        var shopB = pages.Page($"/{prefix}/shop-b/", $$"""
            <!doctype html><title>Shop B</title><h1>Shop B</h1>
            <label for="s">Search</label> <input id="s" autocomplete="off">
            <table><thead><tr><th>Name</th><th>Price</th></tr></thead><tbody id="results"></tbody></table>
            <script>
              const products = [{{products}}];
              document.getElementById('s').addEventListener('input', e => {
                const q = e.target.value.trim().toLowerCase();
                document.getElementById('results').innerHTML = q ? products.filter(p => p[0].toLowerCase().includes(q))
                  .map(p => `<tr><td>${p[0]}</td><td>${p[1]}</td></tr>`).join('') : '';
              });
            </script>
            """);
        return (shopA, shopB);
    }

    /// <summary>The example, pointed at the two shops.</summary>
    public static string PricingWorkflow(Uri shopA, Uri shopB) => $$$"""
        { "name": "Research Product Pricing",
          "description": "Searches two shops and compares their prices.",
          "parameters": [ { "name": "query", "type": "string" } ],
          "steps": [
            { "action": "navigate", "url": "{{{shopA}}}" },
            { "action": "fill_form", "fields": { "Search": "{{query}}" } },
            { "action": "click", "description": "search button" },
            { "action": "extract_data", "name": "shopA", "schema": {{{ProductSchema}}} },
            { "action": "navigate", "url": "{{{shopB}}}" },
            { "action": "fill_form", "fields": { "Search": "{{query}}" } },
            { "action": "extract_data", "name": "shopB", "schema": {{{ProductSchema}}} },
            { "action": "compare_results", "of": ["shopA", "shopB"] } ] }
        """;
}
