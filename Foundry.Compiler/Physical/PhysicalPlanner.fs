/// Optimized logical plan -> physical plan. Inner/cross join trees are reordered by JoinOrder; scans get
/// their access path from PlanScan, joins their algorithm from PlanJoin; the other operators map one
/// to one.
module Foundry.Compiler.Physical.PhysicalPlanner

open Foundry.Compiler.Logical
open Foundry.Compiler.Cost
open Foundry.Compiler.Binding
open Foundry.Compiler.Physical.PhysicalPlan

let rec private planWith (needed: Set<int>) (logical: LogicalPlan.LogicalPlan) : PhysicalPlan =
    let plan = planWith needed
    let planJoinInput = planJoinInputWith needed
    match logical with
    | LogicalPlan.Scan(t, predicate) -> PlanScan.plan t predicate needed
    | LogicalPlan.SingleRow -> SingleRow
    | LogicalPlan.Empty cols -> Empty cols
    | LogicalPlan.Values(rows, cols) -> Values(rows, cols)
    | LogicalPlan.Filter(p, i) -> Filter(p, plan i)
    | LogicalPlan.Project(o, i) -> Project(o, plan i)
    | LogicalPlan.Join((BoundTree.Inner | BoundTree.Cross), _, _, _) as join ->
        match JoinOrder.reorder join with
        | LogicalPlan.Join(kind, l, r, condition) -> PlanJoin.plan kind (planJoinInput l) (plan r) condition
        | LogicalPlan.Filter(p, LogicalPlan.Join(kind, l, r, condition)) -> Filter(p, PlanJoin.plan kind (planJoinInput l) (plan r) condition)
        | other -> plan other
    | LogicalPlan.Join(kind, l, r, condition) -> PlanJoin.plan kind (plan l) (plan r) condition
    | LogicalPlan.Aggregate(keys, aggs, i) -> HashAggregate(keys, aggs, plan i)
    | LogicalPlan.Distinct i -> HashDistinct(plan i)
    | LogicalPlan.Sort(k, i) -> Sort(k, plan i)
    // ORDER BY with a constant LIMIT (and OFFSET) keeps only the rows it can return.
    | LogicalPlan.Limit(Some({ Kind = BoundTree.Constant(BoundTree.VInteger count) } as c), o, LogicalPlan.Sort(keys, i)) when
        (match o with
         | None -> true
         | Some { Kind = BoundTree.Constant(BoundTree.VInteger _) } -> true
         | _ -> false)
        ->
        let offset = match o with Some { Kind = BoundTree.Constant(BoundTree.VInteger n) } -> n | _ -> 0L
        Limit(Some c, o, TopN(count + offset, keys, plan i))
    | LogicalPlan.Limit(c, o, i) -> Limit(c, o, plan i)
    | LogicalPlan.SetOperation(op, all, l, r, cols) -> SetOperation(op, all, plan l, plan r, cols)
    | LogicalPlan.RecursiveUnion(id, all, b, st, cols) -> RecursiveUnion(id, all, plan b, plan st, cols)
    | LogicalPlan.WorkingTable(id, cols) -> WorkingTable(id, cols)
    | LogicalPlan.Insert(t, c, i) -> Insert(t, c, plan i)
    | LogicalPlan.Update(t, a, c, i) -> Update(t, a, c, plan i)
    | LogicalPlan.Delete(t, c, i) -> Delete(t, c, plan i)

/// The left input of an already-ordered join chain: its joins keep their order.
and private planJoinInputWith (needed: Set<int>) (logical: LogicalPlan.LogicalPlan) : PhysicalPlan =
    match logical with
    | LogicalPlan.Join(kind, l, r, condition) -> PlanJoin.plan kind (planJoinInputWith needed l) (planWith needed r) condition
    | other -> planWith needed other

/// Plans a statement's optimized logical plan, in two passes. Whether an index covers a scan depends on
/// every column the generated code decodes from that scan, and that includes what the breakers above
/// it store (a join's build side, a sort's rows), which only the physical plan's shape tells. The
/// first pass fixes the shape (an access path never changes a scan's output columns); the second
/// chooses access paths against the columns that shape decodes.
let plan (logical: LogicalPlan.LogicalPlan) : PhysicalPlan =
    let referenced = LogicalPlan.neededColumns logical
    let shape = planWith referenced logical
    planWith (Set.union referenced (decodedColumns shape)) logical
