/// Join algorithm selection. An equality conjunct whose sides each read columns of only one input
/// (l.a = r.b, or l.a + 1 = r.b) becomes a hash-join key; with at least one key the join is a hash
/// join (build on the right input, probe with the left) and the other conjuncts are tested on each
/// key match; with none it is a nested-loop join. A right outer join is planned as a left outer join
/// with its inputs swapped (output columns are found by id, so their order does not matter above).
/// An inner join also swaps its inputs when the left one is estimated smaller, so that the hash table
/// holds the smaller input: join ordering puts the most selective input first (left), which is the
/// side to build on, not to probe with.
module Foundry.Compiler.Physical.PlanJoin

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Physical.PhysicalPlan

let private idsOf (plan: PhysicalPlan) = outputColumns plan |> List.map (fun c -> c.Id) |> Set.ofList

/// True when every column the expression reads is in `ids` and it reads at least one, with no subquery.
let private within (ids: Set<int>) (e: Expr) =
    let cols = Expr.columns e
    not cols.IsEmpty && cols |> List.forall (fun c -> ids.Contains c.Id) && not (Expr.containsSubquery e)

let plan (kind: JoinKind) (left: PhysicalPlan) (right: PhysicalPlan) (condition: Expr option) : PhysicalPlan =
    let kind, left, right =
        match kind with
        | RightOuter -> LeftOuter, right, left
        | Inner when Estimates.rows left < Estimates.rows right -> Inner, right, left
        | k -> k, left, right
    let leftIds, rightIds = idsOf left, idsOf right
    let conjuncts = condition |> Option.map Expr.conjuncts |> Option.defaultValue []
    let keyOf (c: Expr) =
        match c.Kind with
        | Binary(Equal, a, b) when within leftIds a && within rightIds b -> Some(a, b)
        | Binary(Equal, a, b) when within rightIds a && within leftIds b -> Some(b, a)
        | _ -> None
    let keys, residual = conjuncts |> List.map (fun c -> c, keyOf c) |> List.partition (snd >> Option.isSome)
    let residual = residual |> List.map fst |> Expr.conjoin
    match keys with
    | [] -> NestedLoopJoin(kind, left, right, condition)
    | _ ->
        let pairs = keys |> List.choose snd
        HashJoin(kind, left, right, pairs |> List.map fst, pairs |> List.map snd, residual)
