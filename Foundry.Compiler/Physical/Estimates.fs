/// Estimated rows per physical operator, printed by EXPLAIN beside the actual counts. The same
/// estimates as Cost/Cardinality: a full scan reads the table's rows (ANALYZE's count, or an assumed
/// 1,000), a key seek one row, a range a tenth of the table; a filter keeps a tenth of its input.
module Foundry.Compiler.Physical.Estimates

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Physical.PhysicalPlan

let private selectivity = 0.1

let rec rows (plan: PhysicalPlan) : float =
    match plan with
    | TableScan(t, access, residual, _) ->
        let read =
            match access with
            | KeyRange(_, Some l, Some u) when l.Inclusive && u.Inclusive && obj.ReferenceEquals(l.Value, u.Value) && t.Schema.PrimaryKey.Count = 1 -> 1.0
            | IndexRange(index, _, Some l, Some u, _) when index.Unique && obj.ReferenceEquals(l.Value, u.Value) -> 1.0
            | FullScan -> Foundry.Compiler.Cost.Cardinality.tableRows t
            | _ -> Foundry.Compiler.Cost.Cardinality.tableRows t * selectivity
        if residual.IsSome then max 1.0 (read * selectivity) else read
    | SingleRow -> 1.0
    | Empty _ -> 0.0
    | Values(rs, _) -> float rs.Length
    | Filter(_, i) -> max 1.0 (rows i * selectivity)
    | Project(_, i)
    | Sort(_, i)
    | Materialize i
    | HashDistinct i -> rows i
    | TopN(n, _, i) -> min (float n) (rows i)
    | Limit(_, _, i) -> rows i
    | HashAggregate([], _, _) -> 1.0
    | HashAggregate(_, _, i) -> max 1.0 (rows i * selectivity)
    | HashJoin((Semi | Anti), l, _, _, _, _)
    | NestedLoopJoin((Semi | Anti), l, _, _) -> rows l
    | HashJoin(_, l, r, _, _, _) -> max (rows l) (rows r)
    | NestedLoopJoin(_, l, r, None) -> rows l * rows r
    | NestedLoopJoin(_, l, r, Some _) -> max 1.0 (rows l * rows r * selectivity)
    | SetOperation(_, _, l, r, _) -> rows l + rows r
    | RecursiveUnion(_, _, l, _, _) -> rows l * 10.0
    | WorkingTable _ -> 10.0
    | Insert(_, _, i)
    | Update(_, _, _, i)
    | Delete(_, _, i) -> rows i
