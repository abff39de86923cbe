/// The canonical text of a physical plan: one operator per line with the facts that explain it
/// (access path and the reason for it, join keys, residual predicates), children indented.
module Foundry.Compiler.Physical.PhysicalPrinter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Logical
open Foundry.Compiler.Physical.PhysicalPlan

let private boundText (symbolIncl: string) (symbolExcl: string) (b: KeyBound) =
    sprintf "%s %s" (if b.Inclusive then symbolIncl else symbolExcl) (exprText b.Value)

let private rangeText (column: Column) (lower: KeyBound option) (upper: KeyBound option) =
    [ lower |> Option.map (boundText ">=" ">"); upper |> Option.map (boundText "<=" "<") ]
    |> List.choose id
    |> List.map (fun p -> column.Name + " " + p)
    |> String.concat " AND "

let private keysText (keys: Expr list) = keys |> List.map exprText |> String.concat ", "

let describe (plan: PhysicalPlan) =
    match plan with
    | TableScan(t, access, residual, reason) ->
        let head =
            match access with
            | FullScan -> sprintf "FullScan %s" t.Alias
            | KeyRange(k, Some l, Some u) when l.Inclusive && u.Inclusive && obj.ReferenceEquals(l.Value, u.Value) ->
                // One row at most only when the key has one column; otherwise it is a prefix range.
                let kind = if t.Schema.PrimaryKey.Count = 1 then "KeySeek" else "KeyRangeScan"
                sprintf "%s %s %s = %s" kind t.Alias k.Name (exprText l.Value)
            | KeyRange(k, lower, upper) -> sprintf "KeyRangeScan %s %s" t.Alias (rangeText k lower upper)
            | IndexRange(index, k, Some l, Some u, covering) when l.Inclusive && u.Inclusive && obj.ReferenceEquals(l.Value, u.Value) ->
                sprintf "%s %s using %s %s = %s" (if covering then "CoveringIndexSeek" else "IndexSeek") t.Alias index.Name k.Name (exprText l.Value)
            | IndexRange(index, k, lower, upper, covering) ->
                sprintf "%s %s using %s %s" (if covering then "CoveringIndexRangeScan" else "IndexRangeScan") t.Alias index.Name (rangeText k lower upper)
        let filter = residual |> Option.map (fun r -> " filter=" + exprText r) |> Option.defaultValue ""
        sprintf "%s%s (%s)" head filter reason
    | SingleRow -> "SingleRow"
    | Empty _ -> "Empty"
    | Values(rows, _) -> sprintf "Values rows=%d" rows.Length
    | Filter(p, _) -> "Filter " + exprText p
    | Project(outputs, _) -> LogicalPrinter.projectText outputs
    | HashJoin(kind, _, _, lk, rk, residual) ->
        sprintf "HashJoin %A probe=[%s] build=[%s]%s" kind (keysText lk) (keysText rk) (residual |> Option.map (fun r -> " filter=" + exprText r) |> Option.defaultValue "")
    | NestedLoopJoin(kind, _, _, condition) ->
        sprintf "NestedLoopJoin %A%s" kind (condition |> Option.map (fun c -> " on " + exprText c) |> Option.defaultValue "")
    | HashAggregate(keys, aggs, _) -> "HashAggregate " + LogicalPrinter.groupingText keys aggs
    | HashDistinct _ -> "HashDistinct"
    | Materialize _ -> "Materialize"
    | TopN(count, keys, _) -> sprintf "TopN %d by %s" count (keys |> List.map LogicalPrinter.sortKeyText |> String.concat ", ")
    | Sort(keys, _) -> "Sort " + (keys |> List.map LogicalPrinter.sortKeyText |> String.concat ", ")
    | Limit(count, offset, _) ->
        sprintf "Limit %s offset=%s" (count |> Option.map exprText |> Option.defaultValue "ALL") (offset |> Option.map exprText |> Option.defaultValue "0")
    | SetOperation(op, all, _, _, _) -> sprintf "%A%s" op (if all then " ALL" else "")
    | RecursiveUnion(id, all, _, _, _) -> sprintf "RecursiveUnion %d%s" id (if all then " ALL" else "")
    | WorkingTable(id, _) -> sprintf "WorkingTable %d" id
    | Insert(t, _, _) -> sprintf "Insert %s" t.Name
    | Update(t, assignments, _, _) ->
        sprintf "Update %s set %s" t.Schema.Name (assignments |> List.map (fun a -> sprintf "%s = %s" t.Schema.Columns[a.Ordinal].Name (exprText a.Value)) |> String.concat ", ")
    | Delete(t, _, _) -> sprintf "Delete %s" t.Schema.Name

let print (plan: PhysicalPlan) =
    let lines = ResizeArray<string>()
    let rec go indent p =
        lines.Add(String.replicate indent "  " + describe p)
        for c in children p do
            go (indent + 1) c
    go 0 plan
    String.concat "\n" lines

/// The plan with a note after each operator, operators numbered in pre-order (the numbering
/// EXPLAIN ANALYZE's counters use).
let printAnnotated (plan: PhysicalPlan) (note: int -> PhysicalPlan -> string) =
    let lines = ResizeArray<string>()
    let mutable next = 0
    let rec go indent p =
        let id = next
        next <- next + 1
        lines.Add(String.replicate indent "  " + describe p + "  " + note id p)
        for c in children p do
            go (indent + 1) c
    go 0 plan
    List.ofSeq lines
