/// The canonical text of a physical plan: one operator per line with the facts that explain it
/// (access path and the reason for it, residual predicate), children indented.
module Foundry.Compiler.Physical.PhysicalPrinter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Physical.PhysicalPlan

let private boundText (symbolIncl: string) (symbolExcl: string) (b: KeyBound) =
    sprintf "%s %s" (if b.Inclusive then symbolIncl else symbolExcl) (Value.toSql b.Value)

let describe (plan: PhysicalPlan) =
    match plan with
    | TableScan(t, access, residual, reason) ->
        let head =
            match access with
            | FullScan -> sprintf "FullScan %s" t.Alias
            | KeyRange(k, Some l, Some u) when l.Inclusive && u.Inclusive && l.Value = u.Value ->
                // One row at most only when the key has one column; otherwise it is a prefix range.
                let kind = if t.Schema.PrimaryKey.Count = 1 then "KeySeek" else "KeyRangeScan"
                sprintf "%s %s %s = %s" kind t.Alias k.Name (Value.toSql l.Value)
            | KeyRange(k, lower, upper) ->
                let parts =
                    [ lower |> Option.map (boundText ">=" ">")
                      upper |> Option.map (boundText "<=" "<") ]
                    |> List.choose id
                    |> List.map (fun p -> k.Name + " " + p)
                sprintf "KeyRangeScan %s %s" t.Alias (String.concat " AND " parts)
        let filter = residual |> Option.map (fun r -> " filter=" + exprText r) |> Option.defaultValue ""
        sprintf "%s%s (%s)" head filter reason
    | SingleRow -> "SingleRow"
    | Empty _ -> "Empty"
    | Filter(p, _) -> "Filter " + exprText p
    | Project(outputs, _) ->
        "Project " + (outputs |> List.map (fun (c, e) -> sprintf "%s := %s" (columnText c) (exprText e)) |> String.concat ", ")
    | Sort(keys, _) ->
        "Sort " + (keys |> List.map (fun k -> exprText k.Expr + (if k.Descending then " DESC" else " ASC")) |> String.concat ", ")
    | Limit(count, offset, _) -> sprintf "Limit %s offset=%d" (match count with Some c -> string c | None -> "ALL") offset
    | Insert(t, rows) -> sprintf "Insert %s rows=%d" t.Name rows.Length

let print (plan: PhysicalPlan) =
    let lines = ResizeArray<string>()
    let rec go indent p =
        lines.Add(String.replicate indent "  " + describe p)
        for c in children p do
            go (indent + 1) c
    go 0 plan
    String.concat "\n" lines
