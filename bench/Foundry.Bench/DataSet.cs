namespace Foundry.Bench;

/// <summary>
/// SplitMix64: a tiny deterministic generator, so the data are the same on every run, every .NET
/// version and for both engines (System.Random's seeded sequence is an implementation detail).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n) (the modulo bias is below 2^-40 for the n used here).</summary>
    public long NextInt(long n) => (long)(Next() % (ulong)n);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>8 to 24 characters from [a-z].</summary>
    public string NextText()
    {
        var length = 8 + (int)NextInt(17);
        return string.Create(length, this, static (span, rng) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + rng.NextInt(26));
        });
    }
}

/// <summary>
/// The tables of WORKLOADS.md "Data": t (N rows, ids 1..N in random insertion order) and d (10,000
/// rows), as plain arrays in insertion order. The arrays also feed the "limit" loops.
/// </summary>
public sealed class DataSet
{
    public const ulong Seed = 20240917;
    public const int DRows = 10_000;

    public int N { get; }
    public long[] Id { get; }
    public long[] K { get; }
    public double[] V { get; }
    public string[] S { get; }

    public long[] DId { get; }
    public string[] DName { get; }
    public long[] DCat { get; }

    public DataSet(int n)
    {
        N = n;
        var rng = new SplitMix64(Seed);
        Id = new long[n];
        for (var i = 0; i < n; i++) Id[i] = i + 1;
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)rng.NextInt(i + 1);
            (Id[i], Id[j]) = (Id[j], Id[i]);
        }
        K = new long[n];
        V = new double[n];
        S = new string[n];
        for (var i = 0; i < n; i++)
        {
            K[i] = rng.NextInt(10_000);
            V[i] = rng.NextDouble();
            S[i] = rng.NextText();
        }
        DId = new long[DRows];
        DName = new string[DRows];
        DCat = new long[DRows];
        for (var i = 0; i < DRows; i++)
        {
            DId[i] = i;
            DName[i] = "name" + (i % 1000);
            DCat[i] = i % 100;
        }
    }

    /// <summary>All rows of t, in insertion order.</summary>
    public TableRows T => new(Id, K, V, S);

    /// <summary>Extra rows for W8 (ids N+1 .. N+count), from their own stream so they do not depend on N's rows.</summary>
    public TableRows ExtraRows(int count)
    {
        var rng = new SplitMix64(Seed ^ 0x5EED_0008UL);
        var id = new long[count];
        var k = new long[count];
        var v = new double[count];
        var s = new string[count];
        for (var i = 0; i < count; i++)
        {
            id[i] = N + 1 + i;
            k[i] = rng.NextInt(10_000);
            v[i] = rng.NextDouble();
            s[i] = rng.NextText();
        }
        return new TableRows(id, k, v, s);
    }
}

/// <summary>Rows of t as parallel arrays.</summary>
public sealed record TableRows(long[] Id, long[] K, double[] V, string[] S)
{
    public int Count => Id.Length;

    public TableRows Take(int count) => new(Id[..count], K[..count], V[..count], S[..count]);

    public TableRows Where(Func<int, bool> keep)
    {
        var at = Enumerable.Range(0, Count).Where(keep).ToArray();
        return new(at.Select(i => Id[i]).ToArray(), at.Select(i => K[i]).ToArray(), at.Select(i => V[i]).ToArray(), at.Select(i => S[i]).ToArray());
    }
}
