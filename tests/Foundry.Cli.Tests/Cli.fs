/// Running `foundry` from tests: in-process through FoundryCli.Run, or as a child process of the built foundry.dll.
module Foundry.Cli.Tests.Cli

open System
open System.Diagnostics
open System.IO
open Foundry.Cli

/// A fresh directory under the system temp directory, deleted (with everything in it) on Dispose.
type TempDir() =
    let path = Path.Combine(Path.GetTempPath(), "foundry-cli-tests-" + Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory path |> ignore
    member _.Path = path
    member _.File(name: string) = Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() =
            try Directory.Delete(path, true) with _ -> ()

type RunResult = { ExitCode: int; Out: string; Err: string }

/// Runs `foundry args` in-process with `stdin` as redirected standard input (not a terminal).
let run (stdin: string) (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    out.NewLine <- "\n"
    err.NewLine <- "\n"
    let console = CliConsole(new StringReader(stdin), out, err, false, false)
    let code = FoundryCli.Run(List.toArray args, console)
    { ExitCode = code; Out = out.ToString(); Err = err.ToString() }

/// The lines of a text, without a trailing empty line.
let lines (text: string) =
    text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n') |> Array.toList

/// Runs a script of statements on `db`, reading every result to its end.
let runScript (db: Foundry.Engine.Database) (sql: string) =
    use session = db.OpenSession()
    for r in session.ExecuteScript sql do
        use r = r
        while r.Read() do ()

/// Flips every bit of the byte at `offset` of a file.
let flipByte (path: string) (offset: int64) =
    use file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)
    file.Position <- offset
    let b = file.ReadByte()
    file.Position <- offset
    file.WriteByte(byte (b ^^^ 0xFF))

/// Starts `dotnet foundry.dll args` with redirected standard streams.
let start (args: string list) =
    let host =
        match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
        | null | "" -> "dotnet"
        | path -> path
    let info = ProcessStartInfo(host)
    info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "foundry.dll"))
    for a in args do info.ArgumentList.Add a
    info.RedirectStandardInput <- true
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    info.UseShellExecute <- false
    match Process.Start info with
    | null -> failwith "could not start foundry"
    | proc -> proc
