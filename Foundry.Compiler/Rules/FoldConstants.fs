/// FoldConstants: replaces every column-free subexpression that can be computed now by its value.
///
///     Filter (a#1 > (2 + 3))        becomes   Filter (a#1 > 5)
///     Project x := 1 = 1            becomes   Project x := TRUE
///
/// Also drops the neutral operand of AND/OR, which three-valued logic allows exactly:
///
///     a#1 > 1 AND TRUE              becomes   a#1 > 1
///     a#1 > 1 OR FALSE              becomes   a#1 > 1
///
/// Why: the work is done once at compile time instead of once per row, and later rules
/// (EliminateFilter, key-range selection) recognise constants.
/// Not applied: to an expression whose evaluation fails (1 / 0, integer overflow): it stays, so the
/// error is raised at run time only if a row reaches it, as in `SELECT 1/0 FROM empty_table`.
module Foundry.Compiler.Rules.FoldConstants

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let foldExpr = ConstantEvaluator.fold

let rule: Rule =
    { Name = "FoldConstants"
      Apply =
        fun _ plan ->
            let folded = mapExpressions foldExpr plan
            if folded = plan then None else Some folded }
