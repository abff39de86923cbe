/// EliminateFilter: removes a filter whose condition is the constant TRUE, and replaces a filter
/// whose condition is FALSE or NULL (never true) by an empty relation with the same columns.
///
///     Filter TRUE (Scan t)     becomes   Scan t
///     Filter NULL (Scan t)     becomes   Empty [columns of t]
///
/// Why: no per-row test for a constant answer, and an empty input short-circuits the whole plan.
/// Always safe: WHERE keeps exactly the rows whose condition is TRUE.
module Foundry.Compiler.Rules.EliminateFilter

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let rule: Rule =
    { Name = "EliminateFilter"
      Apply =
        fun _ plan ->
        match plan with
        | Filter({ Kind = Constant(VBoolean true) }, input) -> Some input
        | Filter({ Kind = Constant(VBoolean false | VNull) }, input) -> Some(Empty(outputColumns input))
        | Scan(t, Some { Kind = Constant(VBoolean true) }) -> Some(Scan(t, None))
        | Scan(t, Some { Kind = Constant(VBoolean false | VNull) }) -> Some(Empty t.Columns)
        | _ -> None }
