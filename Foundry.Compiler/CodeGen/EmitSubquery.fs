/// Subqueries inside expressions. The subquery's plan is generated inline, in the middle of the
/// enclosing row's code, with the enclosing columns visible (correlated references read them
/// directly). Before each evaluation the state slots the subquery uses are reset, so it runs afresh
/// for every enclosing row:
/// - scalar: the only row's value, NULL when there is none, an error when there are several;
/// - EXISTS: stops at the first row;
/// - x IN (subquery): TRUE at the first equal value; otherwise NULL if a NULL was seen (or x is NULL
///   and there were rows), else FALSE. NOT negates, keeping NULL.
module Foundry.Compiler.CodeGen.EmitSubquery

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let emit (produce: EmitContext -> Produce) (plan: PhysicalPlan) (ctx: EmitContext) (env: Env) (kind: SubqueryKind) : Expression list * Slot =
    // The tested value of IN is computed in the enclosing row, before the subquery runs.
    let tested = match kind with In(x, _) -> Some(EmitExpr.emit ctx env x) | _ -> None
    let before = ctx.Mark
    let savedOuter = ctx.OuterEnv
    ctx.OuterEnv <- Map.fold (fun (acc: Env) k v -> acc.Add(k, v)) savedOuter env
    let column = outputColumns plan |> List.tryHead
    let doneLabel = ctx.Label("subquery_done")
    let resultCode, slot, body =
        match kind with
        | Scalar ->
            let c = column.Value
            let v = ctx.Local(clrType c.Type, "scalar")
            let n = ctx.Local(typeof<bool>, "n")
            let found = ctx.Local(typeof<bool>, "found")
            let body =
                produce ctx plan (fun inner ->
                    let s = inner[c.Id]
                    block
                        [ Expression.IfThen(found, Expression.Call(method<RuntimeErrors> "ThrowSubqueryRows" []))
                          Expression.Assign(found, trueExpr)
                          Expression.Assign(v, s.Value)
                          Expression.Assign(n, s.IsNull) ])
            [ Expression.Assign(found, falseExpr) :> Expression; Expression.Assign(n, trueExpr); Expression.Assign(v, Expression.Default(v.Type)) ],
            { Value = v :> Expression; IsNull = n :> Expression },
            body
        | Exists negated ->
            let found = ctx.Local(typeof<bool>, "exists")
            let body = produce ctx plan (fun _ -> block [ Expression.Assign(found, trueExpr); Expression.Goto(doneLabel) ])
            let value = if negated then Expression.Not(found) :> Expression else found :> Expression
            [ Expression.Assign(found, falseExpr) :> Expression ], { Value = value; IsNull = falseExpr }, body
        | In(_, negated) ->
            let x = tested.Value.Slot
            let c = column.Value
            let matched = ctx.Local(typeof<bool>, "in_match")
            let sawNull = ctx.Local(typeof<bool>, "in_null")
            let any = ctx.Local(typeof<bool>, "in_rows")
            let body =
                produce ctx plan (fun inner ->
                    let s = inner[c.Id]
                    let value = if s.Value.Type = x.Value.Type then s.Value else Expression.Convert(s.Value, x.Value.Type) :> Expression
                    block
                        [ Expression.Assign(any, trueExpr)
                          Expression.IfThenElse(
                              s.IsNull,
                              Expression.Assign(sawNull, trueExpr),
                              Expression.IfThen(
                                  Expression.AndAlso(Expression.Not(x.IsNull), EmitExpr.comparison Equal x.Value value),
                                  block [ Expression.Assign(matched, trueExpr); Expression.Goto(doneLabel) ]
                              )
                          ) ])
            let v = ctx.Local(typeof<bool>, "in")
            let n = ctx.Local(typeof<bool>, "n")
            [ Expression.Assign(matched, falseExpr) :> Expression; Expression.Assign(sawNull, falseExpr); Expression.Assign(any, falseExpr) ],
            { Value = v :> Expression; IsNull = n :> Expression },
            block
                [ body
                  Expression.Label(doneLabel)
                  Expression.Assign(n, Expression.AndAlso(Expression.Not(matched), Expression.OrElse(sawNull, Expression.AndAlso(x.IsNull, any))))
                  Expression.Assign(v, (if negated then Expression.Not(matched) :> Expression else matched :> Expression)) ]
    ctx.OuterEnv <- savedOuter
    let after = ctx.Mark
    let reset =
        Expression.Call(
            ctx.State,
            typeof<QueryState>.GetMethod("ResetSlots"),
            [| before.Cursors; after.Cursors - before.Cursors; before.Counters; after.Counters - before.Counters; before.Flags; after.Flags - before.Flags; before.Buffers; after.Buffers - before.Buffers; before.Objects; after.Objects - before.Objects |]
            |> Array.map (fun i -> Expression.Constant(i) :> Expression)
        ) :> Expression
    let finish = match kind with In _ -> [] | _ -> [ Expression.Label(doneLabel) :> Expression ]
    let testedCode = tested |> Option.map (fun t -> t.Code) |> Option.defaultValue []
    testedCode @ [ reset ] @ resultCode @ [ body ] @ finish, slot
