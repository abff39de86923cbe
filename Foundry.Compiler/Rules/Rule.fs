/// A rewrite rule: a named, pure function from one plan node to a replacement, or None when the rule
/// does not apply there. Rules never recurse; the driver (Optimizer) walks the plan.
module Foundry.Compiler.Rules.Rule

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan

/// What a rule may use besides the node: building the plan of a subquery (for decorrelation).
type RuleContext = { BuildQuery: Query -> LogicalPlan }

type Rule =
    { Name: string
      Apply: RuleContext -> LogicalPlan -> LogicalPlan option }

/// How a batch runs: once over the plan, or repeatedly until nothing fires (failing past the limit).
type Strategy =
    | Once
    | FixedPoint of maxIterations: int

type Batch =
    { Name: string
      Strategy: Strategy
      Rules: Rule list }
