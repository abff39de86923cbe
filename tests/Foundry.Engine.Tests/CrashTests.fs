/// Crash tests with real processes: tests/Foundry.CrashWorker runs random transactions and reports each
/// commit only after COMMIT returned; this test kills it with SIGKILL at random moments (50 times by
/// default, 300 with FOUNDRY_LONG_TESTS=1), reopens the database (running recovery), and checks that
/// every reported commit is present with all its rows, every reported rollback absent, that only the one
/// transaction in flight may be either, and that Validate() (what `foundry check` runs) reports nothing.
module Foundry.Engine.Tests.CrashTests

open System
open System.Diagnostics
open System.IO
open Xunit
open Xunit.Abstractions
open Foundry.Engine
open Foundry.Engine.Tests.Sql

/// The worker's dll, built next to this test assembly's configuration (the test project references it for build order).
let private workerDll () =
    let here = Path.GetDirectoryName(typeof<TempDatabase>.Assembly.Location)
    // here = tests/Foundry.Engine.Tests/bin/<Configuration>/<tfm>
    let tfm = Path.GetFileName here
    let configuration = Path.GetFileName(Path.GetDirectoryName here)
    let tests = Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."))
    let dll = Path.Combine(tests, "Foundry.CrashWorker", "bin", configuration, tfm, "Foundry.CrashWorker.dll")
    if not (File.Exists dll) then failwithf "crash worker not built: %s" dll
    dll

type CrashTests(output: ITestOutputHelper) =
    let longRun = Environment.GetEnvironmentVariable "FOUNDRY_LONG_TESTS" = "1"
    let kills = if longRun then 300 else 50

    [<Fact>]
    member _.``crash: SIGKILL at random moments never loses a reported commit nor keeps an uncommitted effect``() =
        use tmp = new TempDatabase()
        let dll = workerDll ()
        let rng = Random 4242
        let committed = Collections.Generic.Dictionary<int64, int64>()
        let rolledBack = Collections.Generic.HashSet<int64>()
        let mutable next = 1L
        let mutable recoveries = 0
        let mutable redone = 0
        let watch = Stopwatch.StartNew()
        for round in 1 .. kills do
            let info = ProcessStartInfo("dotnet", sprintf "\"%s\" \"%s\" %d %d" dll tmp.Path next (rng.Next()))
            info.RedirectStandardOutput <- true
            info.RedirectStandardError <- true
            info.UseShellExecute <- false
            use proc = Process.Start info
            let lines = Collections.Concurrent.ConcurrentQueue<string>()
            let ready = new Threading.ManualResetEventSlim(false)
            proc.OutputDataReceived.Add(fun e ->
                if not (isNull e.Data) then
                    if e.Data = "ready" then ready.Set() else lines.Enqueue e.Data)
            let errors = Text.StringBuilder()
            proc.ErrorDataReceived.Add(fun e -> if not (isNull e.Data) then errors.AppendLine e.Data |> ignore)
            proc.BeginOutputReadLine()
            proc.BeginErrorReadLine()
            if not (ready.Wait(TimeSpan.FromSeconds 60.0)) then
                try proc.Kill true with _ -> ()
                failwithf "round %d: the worker did not start: %s" round (errors.ToString())
            Threading.Thread.Sleep(rng.Next(0, 600))
            try proc.Kill true with _ -> ()
            proc.WaitForExit()
            Assert.True(errors.Length = 0, sprintf "round %d: worker failed: %s" round (errors.ToString()))
            let mutable last = next - 1L
            for line in lines do
                match line.Split ' ' with
                | [| "C"; t; k |] ->
                    committed[int64 t] <- int64 k
                    last <- int64 t
                | [| "R"; t |] ->
                    rolledBack.Add(int64 t) |> ignore
                    last <- int64 t
                | _ -> failwithf "round %d: unexpected worker output %s" round line
            let inFlight = last + 1L
            use db = Database.Open tmp.Path
            if db.Recovery.Ran then
                recoveries <- recoveries + 1
                redone <- redone + db.Recovery.PagesRedone
            use s = db.OpenSession()
            let present =
                if db.Tables |> Seq.exists (fun t -> t.Name = "rows") then
                    rows s "SELECT txn, count(*) FROM rows GROUP BY txn"
                    |> List.map (fun r -> (r[0] :?> int64), (r[1] :?> int64))
                    |> Map.ofList
                else Map.empty
            for KeyValue(t, k) in committed do
                Assert.True((Map.tryFind t present = Some k), sprintf "round %d: committed transaction %d should have %d rows, has %A" round t k (Map.tryFind t present))
            for KeyValue(t, n) in present do
                if not (committed.ContainsKey t) then
                    Assert.True((t = inFlight), sprintf "round %d: transaction %d has %d rows but was never reported committed (in flight: %d)" round t n inFlight)
                    // It committed just before the kill, without its report: from now on it must stay.
                    committed[t] <- n
            for t in rolledBack do
                Assert.False(present.ContainsKey t, sprintf "round %d: rolled-back transaction %d left rows" round t)
            let problems = db.Validate()
            Assert.True((problems.Count = 0), sprintf "round %d: %s" round (String.Join("\n", problems)))
            next <- inFlight + 1L
        output.WriteLine(
            sprintf "%d kills, %d committed transactions checked, %d rolled back, %d recoveries redoing %d pages, %.1f s"
                kills committed.Count rolledBack.Count recoveries redone watch.Elapsed.TotalSeconds)
        Assert.True(committed.Count > 0)
        Assert.True(recoveries > 0, "some kills should have needed recovery")
