/// MergeFilters: two stacked filters become one filter on the conjunction.
///
///     Filter p (Filter q input)     becomes   Filter (q AND p) input
///
/// Why: one test per row instead of two operators, and one conjunction for PushFilterIntoScan to
/// split into key bounds. Always safe: both keep a row only when their condition is TRUE, and AND is
/// TRUE exactly when both are.
module Foundry.Compiler.Rules.MergeFilters

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let rule: Rule =
    { Name = "MergeFilters"
      Apply =
        fun _ plan ->
        match plan with
        | Filter(p, Filter(q, input)) -> Expr.conjoin [ q; p ] |> Option.map (fun c -> Filter(c, input))
        | _ -> None }
