/// The canonical text of a logical plan: one operator per line, children indented, each line ending
/// with the columns the operator produces.
module Foundry.Compiler.Logical.LogicalPrinter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Logical.LogicalPlan

let private columnsText (cols: Column list) =
    "[" + (cols |> List.map columnText |> String.concat ", ") + "]"

let describe (plan: LogicalPlan) =
    match plan with
    | Scan(t, None) -> sprintf "Scan %s" t.Alias
    | Scan(t, Some p) -> sprintf "Scan %s filter=%s" t.Alias (exprText p)
    | SingleRow -> "SingleRow"
    | Empty _ -> "Empty"
    | Filter(p, _) -> sprintf "Filter %s" (exprText p)
    | Project(outputs, _) ->
        "Project " + (outputs |> List.map (fun (c, e) -> sprintf "%s := %s" (columnText c) (exprText e)) |> String.concat ", ")
    | Sort(keys, _) ->
        "Sort " + (keys |> List.map (fun k -> exprText k.Expr + (if k.Descending then " DESC" else " ASC")) |> String.concat ", ")
    | Limit(count, offset, _) ->
        sprintf "Limit %s offset=%d" (match count with Some c -> string c | None -> "ALL") offset
    | Insert(t, rows) -> sprintf "Insert %s rows=%d" t.Name rows.Length

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
