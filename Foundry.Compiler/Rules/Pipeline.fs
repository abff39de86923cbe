/// The rule batches, in the order they run.
module Foundry.Compiler.Rules.Pipeline

open Foundry.Compiler.Rules.Rule

let batches: Batch list =
    [ // Subqueries become joins first, so that the joins' predicates take part in pushdown.
      { Name = "Decorrelate"
        Strategy = FixedPoint 10
        Rules = [ DecorrelateSubqueries.rule ] }
      // Simplify first: constants folded here let EliminateFilter see TRUE/FALSE conditions.
      { Name = "Simplify"
        Strategy = FixedPoint 10
        Rules = [ FoldConstants.rule; EliminateFilter.rule ] }
      // Then move filters down. MergeFilters runs in the same batch so that filters that meet on the
      // way down merge before reaching the scan; PushFilterIntoScan runs last in the batch order so a
      // filter reaches the scan only after it has been merged with everything above it.
      { Name = "PushDownPredicates"
        Strategy = FixedPoint 20
        Rules = [ MergeFilters.rule; PushFilterBelowProject.rule; PushFilterIntoJoin.rule; PushFilterIntoScan.rule ] }
      // Pushed predicates are new expressions (substituted projections): fold them once more.
      { Name = "SimplifyAgain"
        Strategy = FixedPoint 10
        Rules = [ FoldConstants.rule; EliminateFilter.rule ] } ]

/// Every rule's name, in pipeline order without repeats (for --disable-rule and listings).
let ruleNames =
    batches |> List.collect (fun b -> b.Rules |> List.map (fun r -> r.Name)) |> List.distinct
