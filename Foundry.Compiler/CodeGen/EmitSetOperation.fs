/// Set operations. UNION ALL streams the left input then the right, renaming their columns to the
/// output's. UNION is UNION ALL passed through a RowSet that drops repeats. INTERSECT and EXCEPT first
/// load the right input into a RowSet (counting occurrences), then stream the left input:
///     INTERSECT       first occurrence of a left row that is in the right set
///     INTERSECT ALL   a left row while the right set still holds a copy of it (taking one)
///     EXCEPT          first occurrence of a left row that is not in the right set
///     EXCEPT ALL      a left row once the right set has no copy of it left to cancel it
module Foundry.Compiler.CodeGen.EmitSetOperation

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private setType = typeof<RowSet>

/// The input row's values under the output's column ids.
let private rename (input: Column list) (output: Column list) (env: Env) : Env =
    List.zip input output |> List.fold (fun (acc: Env) (i, o) -> acc.Add(o.Id, env[i.Id])) Map.empty

let private newSet (ctx: EmitContext) =
    let slot = ctx.NewObject()
    slot, Expression.Convert(slot, setType) :> Expression, Expression.IfThen(Expression.Equal(slot, Expression.Constant(null)), Expression.Assign(slot, Expression.New(setType))) :> Expression

let produce (ctx: EmitContext) (produceChild: Produce) (op: SetOp) (all: bool) (left: PhysicalPlan) (right: PhysicalPlan) (columns: Column list) (consume: Consume) =
    let leftColumns, rightColumns = outputColumns left, outputColumns right
    let keyOf (cols: Column list) (env: Env) = Materialize.rowKey (cols |> List.map (fun c -> env[c.Id]))
    match op, all with
    | Union, true ->
        block
            [ once ctx (produceChild left (fun env -> consume (rename leftColumns columns env)))
              once ctx (produceChild right (fun env -> consume (rename rightColumns columns env))) ]
    | Union, false ->
        let _, seen, create = newSet ctx
        let pass cols env =
            Expression.IfThen(Expression.Call(seen, setType.GetMethod("Add"), keyOf cols env), consume (rename cols columns env)) :> Expression
        block [ create; once ctx (produceChild left (pass leftColumns)); once ctx (produceChild right (pass rightColumns)) ]
    | _ ->
        let _, rightSet, createRight = newSet ctx
        let _, seen, createSeen = newSet ctx
        let loadRight =
            once ctx (produceChild right (fun env -> Expression.Call(rightSet, setType.GetMethod("Add"), keyOf rightColumns env) :> Expression))
        let stream =
            produceChild left (fun env ->
                let key = ctx.Local(typeof<obj>, "set_key")
                let emit = consume (rename leftColumns columns env)
                let test: Expression =
                    match op, all with
                    | Intersect, false ->
                        Expression.AndAlso(Expression.Call(rightSet, setType.GetMethod("Contains"), key), Expression.Call(seen, setType.GetMethod("Add"), key))
                    | Intersect, true -> Expression.Call(rightSet, setType.GetMethod("TryTake"), key)
                    | Except, false ->
                        Expression.AndAlso(Expression.Not(Expression.Call(rightSet, setType.GetMethod("Contains"), key)), Expression.Call(seen, setType.GetMethod("Add"), key))
                    | _ -> Expression.Not(Expression.Call(rightSet, setType.GetMethod("TryTake"), key))
                block [ Expression.Assign(key, keyOf leftColumns env); Expression.IfThen(test, emit) ])
        block [ createRight; createSeen; loadRight; once ctx stream ]
