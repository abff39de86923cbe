/// Optimized logical plan -> physical plan. Operators map one to one except scans, whose access path
/// PlanScan chooses.
module Foundry.Compiler.Physical.PhysicalPlanner

open Foundry.Compiler.Logical
open Foundry.Compiler.Physical.PhysicalPlan

let rec plan (logical: LogicalPlan.LogicalPlan) : PhysicalPlan =
    match logical with
    | LogicalPlan.Scan(t, predicate) -> PlanScan.plan t predicate
    | LogicalPlan.SingleRow -> SingleRow
    | LogicalPlan.Empty cols -> Empty cols
    | LogicalPlan.Filter(p, i) -> Filter(p, plan i)
    | LogicalPlan.Project(o, i) -> Project(o, plan i)
    | LogicalPlan.Sort(k, i) -> Sort(k, plan i)
    | LogicalPlan.Limit(c, o, i) -> Limit(c, o, plan i)
    | LogicalPlan.Insert(t, rows) -> Insert(t, rows)
