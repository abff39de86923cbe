/// DecorrelateSubqueries: an EXISTS, NOT EXISTS or IN subquery that is a top-level conjunct of a
/// filter becomes a semi or anti join with the filter's input, so the subquery runs once (as the
/// build side of a hash join) instead of once per row.
///
///     Filter (EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id AND b.v > 0)) (Scan a)
///         becomes   Join Semi (Scan a) (Filter b.v > 0 (Scan b)) on b.a_id = a.id
///     Filter (a.x IN (SELECT b.y FROM b)) (Scan a)
///         becomes   Join Semi (Scan a) (Scan b) on a.x = b.y
///
/// Why: a correlated subquery re-run per outer row costs rows(a) × rows(b); the join costs
/// rows(a) + rows(b).
/// When it is not safe, it stays: NOT IN (a NULL in the subquery makes NOT IN never TRUE, which an
/// anti join does not reproduce); a subquery under OR or NOT (only a whole conjunct is a join);
/// a subquery whose plan is not a filtered projection of something uncorrelated — e.g.
///     EXISTS (SELECT count(*) FROM b WHERE b.a_id = a.id)
/// is always TRUE (an aggregate yields a row even for no input), which a semi join would lose;
/// LIMIT, DISTINCT and set operations in the subquery likewise keep it as it is.
module Foundry.Compiler.Rules.DecorrelateSubqueries

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Compiler.Rules.Rule

/// Every column produced anywhere inside a plan.
let rec private producedIds (plan: LogicalPlan) : Set<int> =
    Set.union (outputColumns plan |> List.map (fun c -> c.Id) |> Set.ofList) (children plan |> List.map producedIds |> Set.unionMany)

/// True when no expression in the plan reads a column the plan does not itself produce.
let private selfContained (plan: LogicalPlan) =
    let produced = producedIds plan
    let rec check (p: LogicalPlan) =
        (Foundry.Compiler.Logical.LogicalPlan.expressions p |> List.collect ExprDeep.columns |> List.forall (fun c -> produced.Contains c.Id))
        && (children p |> List.forall check)
    check plan

/// The subquery as (uncorrelated input, correlation conjuncts, output expressions), when its plan is
/// Project(outputs, [Filter(predicate,)] source) with the only outer references in the predicate.
let private split (plan: LogicalPlan) =
    match plan with
    | Project(outputs, Filter(predicate, source)) when selfContained source ->
        let local = producedIds source
        let correlated, own =
            Expr.conjuncts predicate
            |> List.partition (fun c -> ExprDeep.columns c |> List.exists (fun col -> not (local.Contains col.Id)))
        let outputsLocal = outputs |> List.forall (fun (_, e) -> ExprDeep.columns e |> List.forall (fun c -> local.Contains c.Id))
        if outputsLocal && correlated |> List.forall (fun c -> not (Expr.containsSubquery c)) then
            let input = match Expr.conjoin own with Some p -> Filter(p, source) | None -> source
            Some(input, correlated, outputs |> List.map snd)
        else None
    | Project(outputs, source) when selfContained source ->
        Some(source, [], outputs |> List.map snd)
    | _ -> None

let private equal (x: Expr) (y: Expr) =
    let y = if y.Type = x.Type then y else Expr.make (Cast(y, x.Type)) x.Type y.Nullable y.Span
    Expr.make (Binary(Equal, x, y)) Foundry.Runtime.SqlType.Boolean (x.Nullable || y.Nullable) x.Span

let rule: Rule =
    { Name = "DecorrelateSubqueries"
      Apply =
        fun context plan ->
            match plan with
            | Filter(predicate, input) ->
                let conjuncts = Expr.conjuncts predicate
                // The first conjunct that can become a join; the driver's fixed point handles the others.
                let rewrite (c: Expr) =
                    match c.Kind with
                    | Subquery((Exists _ | In(_, false)) as kind, q) ->
                        split (context.BuildQuery q)
                        |> Option.bind (fun (right, correlation, outputs) ->
                            match kind, outputs with
                            | Exists negated, _ -> Some((if negated then Anti else Semi), right, Expr.conjoin correlation)
                            | In(x, _), [ y ] -> Some(Semi, right, Expr.conjoin (equal x y :: correlation))
                            | _ -> None)
                    | _ -> None
                conjuncts
                |> List.tryPick (fun c -> rewrite c |> Option.map (fun r -> c, r))
                |> Option.map (fun (taken, (kind, right, condition)) ->
                    let joined = Join(kind, input, right, condition)
                    match conjuncts |> List.filter (fun c -> not (obj.ReferenceEquals(c, taken))) |> Expr.conjoin with
                    | Some rest -> Filter(rest, joined)
                    | None -> joined)
            | _ -> None }
