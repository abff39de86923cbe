/// Join ordering for trees of inner and cross joins (comma-separated FROM lists included).
///
/// The tree is flattened into its inputs and the conjuncts of all its conditions; then a left-deep
/// order is chosen greedily: start from the input with the smallest estimate, and repeatedly add the
/// input, among those connected to the inputs joined so far by some conjunct, with the smallest
/// estimate — an unconnected input (a real cross product) only when no connected one is left. Each
/// conjunct is placed at the first join where all its columns are available; conjuncts on a single
/// input filter that input before it is joined. Dynamic programming over subsets would find cheaper
/// orders with real statistics; with heuristic estimates, connectivity is what matters.
module Foundry.Compiler.Cost.JoinOrder

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan

let private ids plan = outputColumns plan |> List.map (fun c -> c.Id) |> Set.ofList

/// The inputs and conjuncts of a maximal tree of inner/cross joins.
let rec private flatten (plan: LogicalPlan) : LogicalPlan list * Expr list =
    match plan with
    | Join((Inner | Cross), l, r, condition) ->
        let li, lc = flatten l
        let ri, rc = flatten r
        li @ ri, lc @ rc @ (condition |> Option.map Expr.conjuncts |> Option.defaultValue [])
    | other -> [ other ], []

/// Columns a conjunct reads, inside its subqueries too, that belong to any of the inputs (outer
/// columns of an enclosing query are available everywhere and do not constrain placement).
let private localColumns (all: Set<int>) (e: Expr) =
    ExprDeep.columns e |> List.map (fun c -> c.Id) |> List.filter all.Contains |> Set.ofList

/// Reorders an inner/cross join tree; returns a tree of Join(Inner|Cross) with filters, or the plan
/// unchanged when it is not such a tree.
let reorder (plan: LogicalPlan) : LogicalPlan =
    match plan with
    | Join((Inner | Cross), _, _, _) ->
        let inputs, conjuncts = flatten plan
        let allIds = inputs |> List.map ids |> Set.unionMany
        let needs = conjuncts |> List.map (fun c -> c, localColumns allIds c)
        // Conjuncts on one input (or none) filter that input first.
        let single, multi = needs |> List.partition (fun (_, cols) -> inputs |> List.exists (fun i -> Set.isSubset cols (ids i)) || cols.IsEmpty)
        let inputs =
            inputs
            |> List.map (fun i ->
                let own = single |> List.filter (fun (_, cols) -> not cols.IsEmpty && Set.isSubset cols (ids i)) |> List.map fst
                match Expr.conjoin own with
                | Some p -> Filter(p, i)
                | None -> i)
        let constantConjuncts = single |> List.filter (fun (_, cols) -> cols.IsEmpty) |> List.map fst
        let connected (joined: Set<int>) (candidate: LogicalPlan) =
            let cids = ids candidate
            multi |> List.exists (fun (_, cols) -> Set.isSubset cols (Set.union joined cids) && not (Set.isSubset cols joined) && not (Set.intersect cols joined).IsEmpty)
        let rec build (acc: LogicalPlan) (joined: Set<int>) (remaining: LogicalPlan list) (pending: (Expr * Set<int>) list) =
            match remaining with
            | [] -> acc, pending
            | _ ->
                let connectedOnes = remaining |> List.filter (connected joined)
                let pool = if connectedOnes.IsEmpty then remaining else connectedOnes
                let next = pool |> List.minBy Cardinality.estimate
                let joinedNow = Set.union joined (ids next)
                let ready, waiting = pending |> List.partition (fun (_, cols) -> Set.isSubset cols joinedNow)
                let condition = ready |> List.map fst |> Expr.conjoin
                let kind = if condition.IsSome then Inner else Cross
                build (Join(kind, acc, next, condition)) joinedNow (remaining |> List.filter (fun r -> not (obj.ReferenceEquals(r, next)))) waiting
        let first = inputs |> List.minBy Cardinality.estimate
        let joined, leftover = build first (ids first) (inputs |> List.filter (fun r -> not (obj.ReferenceEquals(r, first)))) multi
        match Expr.conjoin (constantConjuncts @ (leftover |> List.map fst)) with
        | Some p -> Filter(p, joined)
        | None -> joined
    | other -> other
