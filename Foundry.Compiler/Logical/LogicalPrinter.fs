/// The canonical text of a logical plan: one operator per line, children indented, each line ending
/// with the columns the operator produces.
module Foundry.Compiler.Logical.LogicalPrinter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Logical.LogicalPlan

let private columnsText (cols: Column list) =
    "[" + (cols |> List.map columnText |> String.concat ", ") + "]"

/// `c#1 := expr, ...` for a projection (shared with the physical printer).
let projectText (outputs: (Column * Expr) list) =
    "Project " + (outputs |> List.map (fun (c, e) -> sprintf "%s := %s" (columnText c) (exprText e)) |> String.concat ", ")

/// `keys=[...] aggregates=[...]` for a grouping (shared with the physical printer).
let groupingText (keys: (Column * Expr) list) (aggs: (Column * AggregateCall) list) =
    let keyText = keys |> List.map (fun (c, e) -> sprintf "%s := %s" (columnText c) (exprText e)) |> String.concat ", "
    let aggText = aggs |> List.map (fun (c, a) -> sprintf "%s := %s" (columnText c) (aggregateText exprText a)) |> String.concat ", "
    sprintf "keys=[%s] aggregates=[%s]" keyText aggText

let sortKeyText (k: SortKey) =
    exprText k.Expr + (if k.Descending then " DESC" else " ASC") + (if k.NullsFirst = k.Descending then (if k.NullsFirst then " NULLS FIRST" else " NULLS LAST") else "")

let describe (plan: LogicalPlan) =
    match plan with
    | Scan(t, None) -> sprintf "Scan %s" t.Alias
    | Scan(t, Some p) -> sprintf "Scan %s filter=%s" t.Alias (exprText p)
    | SingleRow -> "SingleRow"
    | Empty _ -> "Empty"
    | Values(rows, _) -> sprintf "Values rows=%d" rows.Length
    | Filter(p, _) -> sprintf "Filter %s" (exprText p)
    | Project(outputs, _) -> projectText outputs
    | Join(kind, _, _, condition) ->
        sprintf "Join %A%s" kind (condition |> Option.map (fun c -> " on " + exprText c) |> Option.defaultValue "")
    | Aggregate(keys, aggs, _) -> "Aggregate " + groupingText keys aggs
    | Distinct _ -> "Distinct"
    | Sort(keys, _) -> "Sort " + (keys |> List.map sortKeyText |> String.concat ", ")
    | Limit(count, offset, _) ->
        sprintf "Limit %s offset=%s" (count |> Option.map exprText |> Option.defaultValue "ALL") (offset |> Option.map exprText |> Option.defaultValue "0")
    | SetOperation(op, all, _, _, _) -> sprintf "%A%s" op (if all then " ALL" else "")
    | RecursiveUnion(id, all, _, _, _) -> sprintf "RecursiveUnion %d%s" id (if all then " ALL" else "")
    | WorkingTable(id, _) -> sprintf "WorkingTable %d" id
    | Insert(t, _, _) -> sprintf "Insert %s" t.Name
    | Update(t, assignments, _, _) ->
        sprintf "Update %s set %s" t.Schema.Name (assignments |> List.map (fun a -> sprintf "%s = %s" t.Schema.Columns[a.Ordinal].Name (exprText a.Value)) |> String.concat ", ")
    | Delete(t, _, _) -> sprintf "Delete %s" t.Schema.Name

let print (plan: LogicalPlan) =
    let lines = ResizeArray<string>()
    let rec go indent p =
        let cols = outputColumns p
        let suffix = if cols.IsEmpty then "" else "  " + columnsText cols
        lines.Add(String.replicate indent "  " + describe p + suffix)
        for c in children p do
            go (indent + 1) c
    go 0 plan
    String.concat "\n" lines
