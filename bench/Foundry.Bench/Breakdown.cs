using System.Diagnostics;

namespace Foundry.Bench;

/// <summary>
/// `--breakdown`: Stopwatch splits on Foundry alone that explain the ratios of the main run (where
/// the time of a slow workload goes). Not part of WORKLOADS.md; figures go to standard output.
/// </summary>
public static class Breakdown
{
    public static void Run(int n, int cacheMb)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"foundry-breakdown-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var data = new DataSet(n);
            using var f = new FoundryEngine(Path.Combine(dir, "b.foundry"), cacheMb);
            f.Run(Schema.T);
            f.Run(Schema.D);

            // Load: compile of the 1000-row INSERT, then per-batch execution (each commits).
            var sw = Stopwatch.StartNew();
            var insert = f.Prepare(Schema.MultiRowInsert("t", 4, FoundryEngine.LoadBatchRows));
            Report("prepare (parse) 1000-row INSERT", sw);
            var args = new object?[FoundryEngine.LoadBatchRows * 4];
            var batches = new List<double>();
            for (var i = 0; i + FoundryEngine.LoadBatchRows <= n; i += FoundryEngine.LoadBatchRows)
            {
                for (var r = 0; r < FoundryEngine.LoadBatchRows; r++)
                {
                    args[4 * r] = data.Id[i + r];
                    args[4 * r + 1] = data.K[i + r];
                    args[4 * r + 2] = data.V[i + r];
                    args[4 * r + 3] = data.S[i + r];
                }
                sw.Restart();
                insert.Run(args);
                batches.Add(sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  1000-row INSERT batch: first (compile + run) {batches[0] * 1000:0.0} ms, median of the rest {Runner.Median(batches.Skip(1).ToList()) * 1000:0.0} ms, last {batches[^1] * 1000:0.0} ms");
            var small = f.Prepare(Schema.MultiRowInsert("d", 3, 1));
            sw.Restart();
            small.Run(0L, "name0", 0L);
            Report("1-row INSERT into d, first execution (compile + commit)", sw);
            var times = new List<double>();
            for (var i = 1; i < 200; i++)
            {
                sw.Restart();
                small.Run((long)i, "name" + i, (long)(i % 100));
                times.Add(sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  1-row prepared INSERT into d (autocommit, fsync): median {Runner.Median(times) * 1e6:0} us");
            f.Run("DELETE FROM d");
            f.Load(new TableRows([], [], [], []), data);

            // Point lookups: literal (compiled per statement, key seek) vs prepared parameter (full scan).
            var rng = new SplitMix64(1);
            times.Clear();
            for (var i = 0; i < 50; i++)
            {
                sw.Restart();
                using (var rows = f.Query($"SELECT v FROM t WHERE id = {1 + rng.NextInt(n)}")) rows.Read();
                times.Add(sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  point lookup, literal id, unprepared (parse+bind+plan+compile+key seek): median {Runner.Median(times) * 1e6:0} us");
            var point = f.Prepare("SELECT v FROM t WHERE id = $1");
            times.Clear();
            for (var i = 0; i < 50; i++)
            {
                sw.Restart();
                using (var rows = point.Query(1 + rng.NextInt(n))) rows.Read();
                times.Add(sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  point lookup, prepared $1 (plan: full scan): median {Runner.Median(times) * 1e6:0} us");
            var nothing = f.Prepare("SELECT 1");
            times.Clear();
            for (var i = 0; i < 2000; i++)
            {
                sw.Restart();
                using (var rows = nothing.Query()) rows.Read();
                times.Add(sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  prepared SELECT 1 (per-execution overhead of the engine): median {Runner.Median(times) * 1e6:0.0} us");

            // Scans and aggregation.
            Query(f, "scan only: SELECT COUNT(*) FROM t", "SELECT COUNT(*) FROM t");
            Query(f, "scan + filter: SELECT COUNT(*) FROM t WHERE v > 0.5", "SELECT COUNT(*) FROM t WHERE v > 0.5");
            Query(f, "+ SUM(v): SELECT COUNT(*), SUM(v) FROM t WHERE v > 0.5", "SELECT COUNT(*), SUM(v) FROM t WHERE v > 0.5");
            Query(f, "+ MIN(s): SELECT COUNT(*), SUM(v), MIN(s) FROM t WHERE v > 0.5", "SELECT COUNT(*), SUM(v), MIN(s) FROM t WHERE v > 0.5");
            Query(f, "+ GROUP BY k % 16 without MIN(s)", "SELECT k % 16, COUNT(*), SUM(v), AVG(v) FROM t WHERE v > 0.5 GROUP BY k % 16");
            Query(f, "W4 in full", "SELECT k % 16 AS g, COUNT(*), SUM(v), AVG(v), MIN(s) FROM t WHERE v > 0.5 GROUP BY k % 16");
            Query(f, "W5 in full", "SELECT d.name, COUNT(*), SUM(t.v) FROM t JOIN d ON t.k = d.id WHERE d.cat < 10 GROUP BY d.name");
            Query(f, "W5 join without GROUP BY", "SELECT COUNT(*), SUM(t.v) FROM t JOIN d ON t.k = d.id WHERE d.cat < 10");
            Query(f, "W6a in full (ORDER BY v DESC LIMIT 100)", "SELECT id, v FROM t ORDER BY v DESC LIMIT 100");
            Query(f, "W6a input only: SELECT MAX(v), MAX(id) FROM t", "SELECT MAX(v), MAX(id) FROM t");
            Query(f, "W6b in full (ORDER BY s)", "SELECT s FROM t ORDER BY s");
            Query(f, "W6b input only (SELECT s FROM t)", "SELECT s FROM t");
            Query(f, "UPDATE t SET v = v * 0.5 WHERE k < 100 (no index)", "UPDATE t SET v = v * 0.5 WHERE k < 100", statement: true);
            Query(f, "DELETE FROM t WHERE k >= 9990 (no index)", "DELETE FROM t WHERE k >= 9990", statement: true);
            sw.Restart();
            f.Run("CREATE INDEX t_k ON t(k)");
            Report("CREATE INDEX t_k ON t(k)", sw);
            Query(f, "UPDATE t SET v = v * 2.0 WHERE k < 100 (index on k, k unchanged)", "UPDATE t SET v = v * 2.0 WHERE k < 100", statement: true);
            Query(f, "DELETE FROM t WHERE k >= 9980 (index on k)", "DELETE FROM t WHERE k >= 9980", statement: true);
            Query(f, "SELECT COUNT(*) FROM t WHERE k = 7 (literal, index exists)", "SELECT COUNT(*) FROM t WHERE k = 7");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Report(string what, Stopwatch sw) => Console.WriteLine($"  {what}: {sw.Elapsed.TotalMilliseconds:0.0} ms");

    /// <summary>Compiled once (first execution: compile + run), then the median of 3 executions.</summary>
    private static void Query(IEngine f, string what, string sql, bool statement = false)
    {
        if (statement)
        {
            var sw0 = Stopwatch.StartNew();
            f.Run(sql);
            Console.WriteLine($"  {what}: {sw0.Elapsed.TotalMilliseconds:0.0} ms (compile included)");
            return;
        }
        var prepared = f.Prepare(sql);
        var times = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var rows = prepared.Query())
                while (rows.Read()) { }
            times.Add(sw.Elapsed.TotalSeconds);
        }
        var run = Runner.Median(times.Skip(1).ToList());
        Console.WriteLine($"  {what}: run {run * 1000:0.0} ms, compile ~{(times[0] - run) * 1000:0.0} ms");
    }
}
