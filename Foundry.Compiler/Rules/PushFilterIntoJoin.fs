/// PushFilterIntoJoin: splits a filter over a join into the conjuncts that read only the left input,
/// only the right input, or both, and moves each as far down as it may go.
///
///     Filter (a.x = b.y AND a.k > 5 AND b.z IS NULL) (Join Cross a b)
///         becomes   Join Inner (Filter a.k > 5 a) (Filter b.z IS NULL b) on a.x = b.y
///
/// Why: rows are dropped before they are joined; a cross join with an equality becomes a hash join;
/// single-table conjuncts reach the scans, where they can become key ranges. This is what makes a
/// comma-separated FROM list with its equalities in WHERE a chain of hash joins, not a product.
/// Not safe, so not done: pushing a conjunct on the right (NULL-supplying) input below a LEFT join, or
/// into either side of a FULL join — it would keep rows the filter must drop, e.g.
///     SELECT * FROM a LEFT JOIN b ON a.id = b.id WHERE b.v IS NULL
/// keeps the unmatched rows of a; filtering b first would invent matches' absence instead.
/// Conjuncts with subqueries or no columns stay where they are.
module Foundry.Compiler.Rules.PushFilterIntoJoin

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

let private ids plan = outputColumns plan |> List.map (fun c -> c.Id) |> Set.ofList

/// Which side a conjunct can go to: Some true = left only, Some false = right only, None = both/neither.
let private side (leftIds: Set<int>) (rightIds: Set<int>) (e: Expr) =
    let cols = Expr.columns e |> List.map (fun c -> c.Id)
    if cols.IsEmpty || Expr.containsSubquery e then None
    elif cols |> List.forall leftIds.Contains then Some true
    elif cols |> List.forall rightIds.Contains then Some false
    else None

let private filtered (conjuncts: Expr list) (plan: LogicalPlan) =
    match Expr.conjoin conjuncts with
    | Some p -> Filter(p, plan)
    | None -> plan

let rule: Rule =
    { Name = "PushFilterIntoJoin"
      Apply =
        fun _ plan ->
        match plan with
        | Filter(p, Join((Inner | Cross | LeftOuter | Semi | Anti) as kind, l, r, condition)) ->
            let leftIds, rightIds = ids l, ids r
            let conjuncts = Expr.conjuncts p
            let toLeft, rest = conjuncts |> List.partition (fun c -> side leftIds rightIds c = Some true)
            // Only an inner (or cross) join may take right-only and two-sided conjuncts.
            let toRight, toCondition, above =
                match kind with
                | Inner
                | Cross ->
                    let toRight, rest = rest |> List.partition (fun c -> side leftIds rightIds c = Some false)
                    let both, above =
                        rest |> List.partition (fun c -> not (Expr.containsSubquery c) && not (Expr.columns c).IsEmpty && Expr.columns c |> List.forall (fun col -> leftIds.Contains col.Id || rightIds.Contains col.Id))
                    toRight, both, above
                | _ -> [], [], rest
            if toLeft.IsEmpty && toRight.IsEmpty && toCondition.IsEmpty then None
            else
                let conditionConjuncts = (condition |> Option.map Expr.conjuncts |> Option.defaultValue []) @ toCondition
                let kind = if kind = Cross && not conditionConjuncts.IsEmpty then Inner else kind
                let join = Join(kind, filtered toLeft l, filtered toRight r, Expr.conjoin conditionConjuncts)
                Some(filtered above join)
        | _ -> None }
