/// Helpers for running SQL in tests: temporary databases and results as plain F# values.
module Foundry.Engine.Tests.Sql

open System
open System.IO
open Foundry.Engine

/// A database file in a fresh temporary directory, removed on dispose.
type TempDatabase() =
    let dir = Path.Combine(Path.GetTempPath(), "foundry-tests-" + Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory dir |> ignore
    member val Path = Path.Combine(dir, "test.foundry")

    interface IDisposable with
        member _.Dispose() =
            try
                Directory.Delete(dir, true)
            with _ -> ()

/// Every row of a query, values boxed (null for NULL).
let rows (session: Session) (sql: string) : obj list list =
    use r = session.Execute sql
    [ while r.Read() do
          yield [ for i in 0 .. r.FieldCount - 1 -> r.GetValue i ] ]

/// Runs a statement and returns its affected-row count.
let exec (session: Session) (sql: string) : int64 =
    use r = session.Execute sql
    r.RowsAffected

/// A derived table `g(x)` of the integers 1..n (for filling test tables with INSERT ... SELECT).
let series (n: int) =
    sprintf "(WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %d) SELECT x FROM n) g" n

/// Runs a script of statements, discarding results.
let script (session: Session) (sql: string) =
    for r in session.ExecuteScript sql do
        r.Dispose()

/// The FoundryException a statement raises (fails the test if it succeeds).
let error (session: Session) (sql: string) : FoundryException =
    try
        use r = session.Execute sql
        while r.Read() do
            ()
        failwithf "expected an error from: %s" sql
    with :? FoundryException as e -> e

/// A temporary database and a session on it, after running the setup statements.
let databaseWith (setup: string list) : Database * Session =
    let db = Database.OpenTemporary()
    let session = db.OpenSession()
    for sql in setup do
        script session sql
    db, session
