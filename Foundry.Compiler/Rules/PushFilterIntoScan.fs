/// PushFilterIntoScan: a filter directly over a table scan becomes the scan's own predicate.
///
///     Filter a#1 = 5 (Scan t)     becomes   Scan t filter=a#1 = 5
///
/// Why: the physical planner sees the predicate at the scan, where it chooses the access path: a
/// conjunct on the primary key becomes a key seek or range scan, the rest is tested on each row as it
/// is read, before any column it does not need is decoded.
/// Always safe: the scan keeps exactly the rows the filter kept.
module Foundry.Compiler.Rules.PushFilterIntoScan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let rule: Rule =
    { Name = "PushFilterIntoScan"
      Apply =
        fun _ plan ->
        match plan with
        | Filter(p, Scan(t, existing)) ->
            let conjuncts = (existing |> Option.map Expr.conjuncts |> Option.defaultValue []) @ Expr.conjuncts p
            Some(Scan(t, Expr.conjoin conjuncts))
        | _ -> None }
