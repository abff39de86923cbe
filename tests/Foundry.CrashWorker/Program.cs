using Foundry.Engine;

// Usage: Foundry.CrashWorker <database> <first transaction id> <seed>
//
// Runs transactions forever until killed. Transaction t inserts rows (t, 0) … (t, k-1) into `rows`,
// sometimes rewrites their payloads, sometimes runs a statement that fails (duplicate key) and goes on,
// and then either commits or rolls back. Protocol on stdout, one line each, written only after the
// statement returned:
//   ready                 the database is open (recovery done)
//   C <t> <k>             transaction t committed with k rows
//   R <t>                 transaction t rolled back
// So after a kill every "C" transaction must be present with exactly k rows, every "R" one absent, and
// only the single transaction in flight (the one after the last line) may be present or absent.
var path = args[0];
var txn = long.Parse(args[1]);
var random = new Random(int.Parse(args[2]));
using var db = Database.Open(path, new DatabaseOptions { CacheFrames = 64, CheckpointLogBytes = 256 * 1024 });
using var session = db.OpenSession();
session.Execute("CREATE TABLE IF NOT EXISTS rows (txn INTEGER, i INTEGER, payload TEXT, PRIMARY KEY (txn, i))").Dispose();
session.Execute("CREATE INDEX IF NOT EXISTS rows_payload ON rows (payload)").Dispose();
Console.Out.WriteLine("ready");
Console.Out.Flush();
var insert = session.Prepare("INSERT INTO rows VALUES ($1, $2, $3)");
while (true)
{
    int k = random.Next(1, 12);
    session.Execute("BEGIN").Dispose();
    for (int i = 0; i < k; i++)
    {
        insert.Execute(txn, (long)i, Payload(random)).Dispose();
    }
    if (random.Next(4) == 0)
    {
        try
        {
            insert.Execute(txn, 0L, "duplicate").Dispose();
            throw new InvalidOperationException("duplicate key was accepted");
        }
        catch (FoundryException)
        {
            // The failed statement left no effect; the transaction goes on.
        }
    }
    if (random.Next(3) == 0)
    {
        session.Execute($"UPDATE rows SET payload = '{Payload(random)}' WHERE txn = {txn}").Dispose();
    }
    if (random.Next(7) == 0)
    {
        session.Execute("ROLLBACK").Dispose();
        Console.Out.WriteLine($"R {txn}");
    }
    else
    {
        session.Execute("COMMIT").Dispose();
        Console.Out.WriteLine($"C {txn} {k}");
    }
    Console.Out.Flush();
    txn++;
    if (random.Next(50) == 0)
    {
        session.Execute("CHECKPOINT").Dispose();
    }
}

static string Payload(Random random) => new((char)('a' + random.Next(26)), random.Next(1, random.Next(10) == 0 ? 600 : 40));
