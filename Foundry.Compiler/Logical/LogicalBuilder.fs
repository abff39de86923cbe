/// Bound statement -> logical plan. The plan is built in SQL's evaluation order
/// (FROM, WHERE, ORDER BY, SELECT list, LIMIT); the rules then move things to where they run best.
module Foundry.Compiler.Logical.LogicalBuilder

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan

/// Builds the plan of a SELECT. `newColumn` allocates the output columns of the projection.
let buildSelect (newColumn: string -> Expr -> Column) (s: Select) : LogicalPlan =
    let source =
        match s.From with
        | Some t -> Scan(t, None)
        | None -> SingleRow
    let filtered =
        match s.Where with
        | Some w -> Filter(w, source)
        | None -> source
    let sorted = if s.OrderBy.IsEmpty then filtered else Sort(s.OrderBy, filtered)
    let projected = Project(s.Output |> List.map (fun (name, e) -> newColumn name e, e), sorted)
    match s.Limit, s.Offset with
    | None, 0L -> projected
    | count, offset -> Limit(count, offset, projected)

let buildInsert (i: Insert) : LogicalPlan = Insert(i.Table, i.Rows)
