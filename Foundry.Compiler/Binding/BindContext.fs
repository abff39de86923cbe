/// State shared by one statement's binding: the catalog, the statement text, the diagnostics found so
/// far, fresh column ids, parameter types and common table expressions in scope.
module Foundry.Compiler.Binding.BindContext

open System
open System.Collections.Generic
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

type Context(catalog: ICatalog, sourceText: string) =
    let errors = ResizeArray<Diagnostic>()
    let parameterTypes = Dictionary<int, SqlType>()
    let mutable nextColumnId = 0
    let ctes = Stack<Map<string, Ast.CommonTableExpr>>()
    let recursive = Stack<bool>()
    let workingTables = Dictionary<string, int * Column list>(StringComparer.OrdinalIgnoreCase)
    let mutable nextWorkingTable = 0
    let enclosing = Stack<EnclosingLevel>()
    member _.Catalog = catalog
    member _.SourceText = sourceText
    member _.Errors = errors
    member _.Report(d: Diagnostic) = errors.Add d

    member _.NewColumn(name, typ, nullable) =
        nextColumnId <- nextColumnId + 1
        { Id = nextColumnId; Name = name; Type = typ; Nullable = nullable }

    /// The SQL text a span covers, used to name unaliased output columns as the user wrote them.
    member _.TextOf(span: Span) =
        if span.IsNone || span.End.Offset > sourceText.Length then ""
        else sourceText.Substring(span.Start.Offset, span.End.Offset - span.Start.Offset)

    /// Parameter n's type, once some context has fixed it.
    member _.ParameterType(index: int) =
        match parameterTypes.TryGetValue index with
        | true, t -> t
        | _ -> SqlType.Null

    member _.FixParameterType(index: int, t: SqlType) =
        if not (parameterTypes.ContainsKey index) && t <> SqlType.Null then parameterTypes[index] <- t

    member _.ParameterTypes = parameterTypes

    /// The highest parameter number the statement uses (0 when none).
    member val ParameterCount = 0 with get, set

    /// Runs `f` with the WITH clause's names visible (innermost first).
    member _.WithCtes(defs: Ast.CommonTableExpr list, isRecursive: bool, f: unit -> 'a) =
        ctes.Push(defs |> List.map (fun d -> d.Name.Name.ToLowerInvariant(), d) |> Map.ofList)
        recursive.Push isRecursive
        try
            f ()
        finally
            ctes.Pop() |> ignore
            recursive.Pop() |> ignore

    /// Whether the innermost WITH that defines `name` is WITH RECURSIVE.
    member _.CteIsRecursive(name: string) =
        Seq.zip ctes recursive |> Seq.tryPick (fun (m, r) -> if m.ContainsKey(name.ToLowerInvariant()) then Some r else None) |> Option.defaultValue false

    /// While a recursive CTE's step is bound, its name reads the working table.
    member _.WithWorkingTable(name: string, columns: Column list, f: int -> 'a) =
        nextWorkingTable <- nextWorkingTable + 1
        let id = nextWorkingTable
        workingTables[name] <- (id, columns)
        try
            f id
        finally
            workingTables.Remove name |> ignore

    member _.FindWorkingTable(name: string) =
        match workingTables.TryGetValue name with
        | true, w -> Some w
        | _ -> None

    /// The query levels the expression being bound is nested in (through subquery expressions),
    /// innermost first: where an aggregate over outer columns only goes.
    member _.EnclosingLevels: seq<EnclosingLevel> = enclosing

    /// Runs `f` (binding a subquery expression) inside `level`, the query level that holds it.
    member _.WithinLevel(level: EnclosingLevel, f: unit -> 'a) =
        enclosing.Push level
        try
            f ()
        finally
            enclosing.Pop() |> ignore

    member _.FindCte(name: string) =
        ctes |> Seq.tryPick (fun m -> m.TryFind(name.ToLowerInvariant()))

    /// A CTE's query is bound where it is referenced, without seeing itself or later CTEs' shadows.
    member _.WithoutCte(name: string, f: unit -> 'a) =
        let saved = ctes.ToArray()
        ctes.Clear()
        for m in Array.rev saved do
            ctes.Push(m.Remove(name.ToLowerInvariant()))
        try
            f ()
        finally
            ctes.Clear()
            for m in Array.rev saved do
                ctes.Push m

/// A query level seen from a subquery expression inside it: the columns of its FROM, and the
/// collector its aggregates go to from the clause holding the subquery (None where that clause
/// allows no aggregate, with the clause's name for the message).
and EnclosingLevel =
    { Columns: Set<int>
      Aggregates: AggregateCollector option
      Clause: string }

/// Collects the aggregate calls of one query level, giving each distinct call one column.
and AggregateCollector(ctx: Context) =
    let calls = ResizeArray<Column * AggregateCall * string>()
    /// True while an aggregate argument of this level is being bound (an aggregate there is nested).
    member val Inside = false with get, set
    member _.Calls = calls |> Seq.map (fun (c, a, _) -> c, a) |> List.ofSeq

    /// The column standing for `call`; `key` identifies equal calls (same function, argument text).
    member _.Add(call: AggregateCall, key: string, name: string) =
        match calls |> Seq.tryFind (fun (_, _, k) -> k = key) with
        | Some(c, _, _) -> c
        | None ->
            let nullable = call.Function <> Count && call.Function <> CountStar && call.Function <> Total
            let c = ctx.NewColumn(name, call.Type, nullable)
            calls.Add((c, call, key))
            c

let nameEquals (id: Ast.Identifier) (name: string) =
    if id.Quoted then id.Name = name
    else String.Equals(id.Name, name, StringComparison.OrdinalIgnoreCase)

/// The NULL constant an expression becomes when it fails to bind (every operator accepts it).
let errorExpr span = Expr.constant VNull span
