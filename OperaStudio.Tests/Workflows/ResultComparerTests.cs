using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Workflows;
using OperaStudio.BrowserService.Workflows.Comparison;

namespace OperaStudio.Tests.Workflows;

/// <summary>compare_results' deterministic comparison, without a browser or a model.</summary>
public sealed class ResultComparerTests
{
    private static readonly string[] Shops = ["shopA", "shopB"];

    private static ComparisonDto Compare(string a, string b, string step = "{}") =>
        ResultComparer.Compare(Shops, [JsonNode.Parse(a), JsonNode.Parse(b)], JsonNode.Parse(step)!.AsObject());

    private static ComparisonRowDto RowOf(ComparisonDto comparison, string key) => comparison.Rows.Single(r => r.Key == key);

    private static string? Field(JsonElement? record, string field) =>
        record is { } r && r.TryGetProperty(field, out var value) ? value.ToString() : null;

    [Fact]
    public void Compare_PricesAsTextAndNamesWrittenDifferently_MatchesByNameAndNamesTheCheaperShop()
    {
        var comparison = Compare(
            """[{"name": "Sony WH-1000XM5", "price": "$349.99"}, {"name": "Bose QuietComfort Ultra", "price": "$1,299.00"}, {"name": "Only at A", "price": "$10"}]""",
            """[{"name": "bose quietcomfort  ultra", "price": "$1,199.50"}, {"name": "sony wh 1000xm5", "price": "$379.00"}, {"name": "Only at B", "price": "$12"}]""");

        Assert.Equal("name", comparison.MatchedBy);
        Assert.Equal(Shops, comparison.Of);
        Assert.Equal(["name", "price"], comparison.Fields);
        Assert.Equal(["Sony WH-1000XM5", "Bose QuietComfort Ultra", "Only at A", "Only at B"], comparison.Rows.Select(r => r.Key));

        var sony = RowOf(comparison, "Sony WH-1000XM5");
        Assert.Equal(["$349.99", "$379.00"], sony.Records.Select(r => Field(r, "price")));
        var sonyBest = Assert.Single(sony.Best);
        Assert.Equal(("price", "shopA", 349.99, "min"), (sonyBest.Field, sonyBest.Step, sonyBest.Value, sonyBest.Rule));
        Assert.Contains("price", sony.Differing);

        var bose = Assert.Single(RowOf(comparison, "Bose QuietComfort Ultra").Best);
        Assert.Equal(("shopB", 1199.5), (bose.Step, bose.Value));

        var onlyA = RowOf(comparison, "Only at A");
        Assert.Equal("Only at A", Field(onlyA.Records[0], "name"));
        Assert.Null(onlyA.Records[1]);
        Assert.Empty(onlyA.Best);
        Assert.Empty(onlyA.Differing);
        Assert.Null(RowOf(comparison, "Only at B").Records[0]);
        Assert.Null(comparison.Summary);
    }

    [Fact]
    public void Compare_SameValuesWrittenDifferently_AreNotDifferences()
    {
        var comparison = Compare(
            """[{"name": "Lamp", "price": "$5.00", "stock": "In  stock", "tags": ["a"], "colour": "red"}]""",
            """[{"name": "LAMP", "price": 5, "stock": "in stock", "tags": ["a"], "colour": "blue"}]""");

        var row = Assert.Single(comparison.Rows);
        Assert.Equal(["colour"], row.Differing);
        Assert.Empty(row.Best);
    }

    [Fact]
    public void Compare_FieldMissingOnOneSide_IsADifference()
    {
        var row = Assert.Single(Compare("""[{"name": "Lamp", "colour": "red"}]""", """[{"name": "Lamp"}]""").Rows);

        Assert.Equal(["colour"], row.Differing);
    }

    [Fact]
    public void Compare_MatchBy_UsesThatFieldEvenWhenNamesDiffer()
    {
        var comparison = Compare(
            """[{"sku": "A-1", "name": "Desk lamp", "price": 20}, {"sku": "B-2", "name": "Chair", "price": 50}]""",
            """[{"sku": "b2", "name": "Office chair", "price": 45}, {"sku": "a1", "name": "Lamp for desks", "price": 25}]""",
            """{"match_by": "SKU"}""");

        Assert.Equal("sku", comparison.MatchedBy);
        Assert.Equal(["A-1", "B-2"], comparison.Rows.Select(r => r.Key));
        Assert.Equal("shopA", Assert.Single(RowOf(comparison, "A-1").Best).Step);
        Assert.Equal("shopB", Assert.Single(RowOf(comparison, "B-2").Best).Step);
        Assert.Contains("name", RowOf(comparison, "B-2").Differing);
    }

    [Fact]
    public void Compare_MatchByAFieldNoRecordHas_IsRefusedNamingTheFields()
    {
        var error = Assert.Throws<WorkflowInvalidException>(() => Compare("""[{"name": "x"}]""", """[{"name": "x"}]""", """{"match_by": "sku"}"""));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("sku", problem, StringComparison.Ordinal);
        Assert.Contains("name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_Prefer_OverridesMinPerFieldAndForAll()
    {
        const string a = """[{"name": "Lamp", "price": 20, "rating": "4.5"}]""";
        const string b = """[{"name": "Lamp", "price": 25, "rating": "4.8"}]""";

        var perField = Assert.Single(Compare(a, b, """{"prefer": {"rating": "max"}}""").Rows).Best;
        Assert.Equal([("price", "shopA", "min"), ("rating", "shopB", "max")], perField.Select(x => (x.Field, x.Step, x.Rule)));

        var forAll = Assert.Single(Compare(a, b, """{"prefer": "MAX"}""").Rows).Best;
        Assert.Equal([("price", "shopB", "max"), ("rating", "shopB", "max")], forAll.Select(x => (x.Field, x.Step, x.Rule)));
    }

    [Fact]
    public void Compare_BadOptions_ListsEveryProblem()
    {
        var error = Assert.Throws<WorkflowInvalidException>(() => Compare("[]", "[]", """{"match_by": 3, "prefer": {"price": "cheapest", "rating": 1}}"""));

        Assert.Equal(3, error.Problems.Count);
        Assert.Empty(ComparisonRules.Problems(JsonNode.Parse("""{"match_by": "name", "prefer": {"price": "Max"}}""")!.AsObject()));
    }

    [Fact]
    public void Compare_NoTextField_MatchesByPositionAndKeepsTheLongerListsTail()
    {
        var comparison = Compare("""[{"price": 3}, {"price": 9}, {"price": 1}]""", """[{"price": 4}, {"price": 8}]""");

        Assert.Equal(ResultComparer.ByPosition, comparison.MatchedBy);
        Assert.Equal(["#1", "#2", "#3"], comparison.Rows.Select(r => r.Key));
        Assert.Equal(["shopA", "shopB"], comparison.Rows.Take(2).Select(r => Assert.Single(r.Best).Step));
        Assert.Null(comparison.Rows[2].Records[1]);
        Assert.Empty(comparison.Rows[2].Best);
    }

    [Fact]
    public void Compare_WithoutANameField_PrefersTitleAndSkipsFieldsThatRepeat()
    {
        // "brand" pairs records up too, but it repeats within a shop, so it cannot say which record is which.
        var comparison = Compare(
            """[{"brand": "Acme", "title": "Kettle", "cost": "€30"}, {"brand": "Acme", "title": "Toaster", "cost": "€40"}]""",
            """[{"brand": "Acme", "title": "Toaster", "cost": "€35"}, {"brand": "Acme", "title": "Kettle", "cost": "€31"}]""");

        Assert.Equal("title", comparison.MatchedBy);
        Assert.Equal(["Kettle", "Toaster"], comparison.Rows.Select(r => r.Key));
        Assert.Equal(["shopA", "shopB"], comparison.Rows.Select(r => Assert.Single(r.Best).Step));
    }

    [Fact]
    public void Compare_NoNameLikeField_MatchesOnTheTextFieldThatPairsRecordsUp()
    {
        var comparison = Compare(
            """[{"colour": "red", "label_text": "Pro 14", "price": 5}, {"colour": "red", "label_text": "Air 13", "price": 7}]""",
            """[{"colour": "blue", "label_text": "Air 13", "price": 6}, {"colour": "green", "label_text": "Pro 14", "price": 4}]""");

        Assert.Equal("label_text", comparison.MatchedBy);
        Assert.Equal(2, comparison.Rows.Count);
        Assert.All(comparison.Rows, r => Assert.DoesNotContain(null, r.Records));
    }

    [Fact]
    public void Compare_ObjectWrappingAList_ComparesTheListsRecords()
    {
        var comparison = Compare(
            """{"products": [{"name": "Lamp", "price": "10"}]}""",
            """[{"name": "Lamp", "price": "9.5"}]""");

        var row = Assert.Single(comparison.Rows);
        Assert.Equal("Lamp", row.Key);
        Assert.Equal("shopB", Assert.Single(row.Best).Step);
    }

    [Fact]
    public void Compare_SingleObjectsAndMissingOutput_AreOneRecordAndNone()
    {
        var comparison = ResultComparer.Compare(
            ["a", "b", "c"],
            [JsonNode.Parse("""{"name": "Lamp", "price": 10}"""), JsonNode.Parse("""{"name": "Lamp", "price": 12}"""), null],
            new JsonObject());

        var row = Assert.Single(comparison.Rows);
        Assert.Equal(3, row.Records.Count);
        Assert.Null(row.Records[2]);
        Assert.Equal("a", Assert.Single(row.Best).Step);
    }

    [Fact]
    public void Compare_EqualBestValues_NameNoStep()
    {
        var row = Assert.Single(Compare("""[{"name": "Lamp", "price": "$10"}]""", """[{"name": "Lamp", "price": "10.00"}]""").Rows);

        Assert.Empty(row.Best);
        Assert.Empty(row.Differing);
    }

    [Fact]
    public void Compare_SameKeyTwiceOnASide_PairsOccurrencesInOrder()
    {
        var comparison = Compare(
            """[{"name": "Lamp", "price": 1}, {"name": "Lamp", "price": 2}, {"name": "Desk", "price": 3}]""",
            """[{"name": "lamp", "price": 5}, {"name": "Lamp", "price": 0}, {"name": "Desk", "price": 4}]""",
            """{"match_by": "name"}""");

        Assert.Equal(["Lamp", "Lamp (2)", "Desk"], comparison.Rows.Select(r => r.Key));
        Assert.Equal(["shopA", "shopB", "shopA"], comparison.Rows.Select(r => Assert.Single(r.Best).Step));
    }

    [Fact]
    public void Compare_FieldWithTextThatIsNotANumber_IsNotNumeric()
    {
        var row = Assert.Single(Compare(
            """[{"name": "Lamp", "model": "X100", "price": 3}]""",
            """[{"name": "Lamp", "model": "X200", "price": 4}]""").Rows);

        Assert.Equal(["price"], row.Best.Select(b => b.Field));
        Assert.Equal(["model", "price"], row.Differing);
    }

    [Theory]
    [InlineData("$1,299.00", 1299.0)]
    [InlineData("1299 USD", 1299.0)]
    [InlineData("US$ 12.5", 12.5)]
    [InlineData("€ 5", 5.0)]
    [InlineData("12,50 €", null)]
    [InlineData("-$5", -5.0)]
    [InlineData("\u22123.5", -3.5)]
    [InlineData("15%", 15.0)]
    [InlineData(".5", 0.5)]
    [InlineData("WH-1000XM5", null)]
    [InlineData("X100", null)]
    [InlineData("4.5 of 5", null)]
    [InlineData("1,29", null)]
    [InlineData("", null)]
    [InlineData("free", null)]
    public void NumericText_ReadsPricesAndRefusesNames(string text, double? expected)
    {
        Assert.Equal(expected, NumericText.Parse(text));
    }

    [Fact]
    public void NumericText_ReadsJsonNumbersAndNotOtherKinds()
    {
        Assert.Equal(7.0, NumericText.Read(JsonValue.Create(7)));
        Assert.Equal(2.25, NumericText.Read(JsonNode.Parse("2.25")));
        Assert.Null(NumericText.Read(JsonValue.Create(true)));
        Assert.Null(NumericText.Read(new JsonObject()));
        Assert.Null(NumericText.Read(null));
    }
}
