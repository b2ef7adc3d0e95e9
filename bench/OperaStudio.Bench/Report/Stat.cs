namespace OperaStudio.Bench.Report;

/// <summary>Percentiles of a set of samples (linear interpolation between ranks), with the samples that failed.</summary>
public sealed record Stat(IReadOnlyList<double> Samples, int Failed = 0)
{
    public int N => Samples.Count;

    public double P50 => Percentile(0.50);

    public double P95 => Percentile(0.95);

    public double Mean => N == 0 ? double.NaN : Samples.Average();

    public double Min => N == 0 ? double.NaN : Samples.Min();

    public double Max => N == 0 ? double.NaN : Samples.Max();

    public static Stat Of(IEnumerable<double?> samples)
    {
        var list = samples.ToList();
        return new Stat(list.Where(s => s is not null).Select(s => s!.Value).ToList(), list.Count(s => s is null));
    }

    public static Stat Of(IEnumerable<double> samples) => new(samples.ToList());

    public double Percentile(double p)
    {
        if (N == 0)
        {
            return double.NaN;
        }

        var sorted = Samples.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
