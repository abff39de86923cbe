/// The engines the runner drives: Foundry in-process (the one under test), and SQLite in-process
/// (the corpus's reference engine, used only to check the runner itself).
module Foundry.Conformance.Tests.Engines

open System
open Foundry.Engine
open Microsoft.Data.Sqlite
open Foundry.Conformance.Tests.Slt

/// One fresh temporary Foundry database and one session on it; the file is deleted on dispose.
type FoundryEngine() =
    let db = Database.OpenTemporary()
    let session = db.OpenSession()

    interface IEngine with
        member _.Execute(sql: string) =
            try
                use r = session.Execute sql
                if r.ReturnsRows then
                    let n = r.FieldCount
                    let rows = ResizeArray<obj[]>()
                    while r.Read() do
                        rows.Add(Array.init n (fun i -> r.GetValue i))
                    Rows(n, List.ofSeq rows)
                else
                    Done
            with :? FoundryException as e ->
                SqlError e.LocatedMessage

    interface IDisposable with
        member _.Dispose() =
            session.Dispose()
            db.Dispose()

let private sqliteInit = lazy (SQLitePCL.Batteries_V2.Init())

/// The SQLite library version the reference engine runs.
let sqliteVersion () =
    sqliteInit.Force()
    SQLitePCL.raw.sqlite3_libversion().utf8_to_string ()

/// SQLite in memory through Microsoft.Data.Sqlite: the reference the corpus was written against.
type SqliteEngine() =
    do sqliteInit.Force()
    let connection = new SqliteConnection("Data Source=:memory:")
    do connection.Open()

    interface IEngine with
        member _.Execute(sql: string) =
            try
                use command = connection.CreateCommand()
                command.CommandText <- sql
                use reader = command.ExecuteReader()
                if reader.FieldCount > 0 then
                    let n = reader.FieldCount
                    let rows = ResizeArray<obj[]>()
                    while reader.Read() do
                        rows.Add(Array.init n (fun i -> match reader.GetValue i with :? DBNull -> null | v -> v))
                    Rows(n, List.ofSeq rows)
                else
                    Done
            with :? SqliteException as e ->
                SqlError e.Message

    interface IDisposable with
        member _.Dispose() = connection.Dispose()
