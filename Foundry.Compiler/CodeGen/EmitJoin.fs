/// Joins. Both algorithms materialise the right input once (the build side) into a JoinTable and
/// stream the left input (the probe side):
/// - hash join: rows indexed by their key values; a left row looks up its key (a key with a NULL
///   never matches) and tests the residual condition on each candidate;
/// - nested-loop join: a left row tests the condition against every right row.
/// Inner joins emit each matching pair; left outer joins also emit an unmatched left row with NULL
/// right columns; full outer joins then emit every right row nothing matched; semi joins emit a left
/// row once if it has a match, anti joins if it has none.
module Foundry.Compiler.CodeGen.EmitJoin

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private tableType = typeof<JoinTable>

/// NULL values for every column (the missing side of an outer join).
let private nullEnv (columns: Column list) : Env =
    columns |> List.fold (fun (env: Env) c -> env.Add(c.Id, { Value = Expression.Default(clrType c.Type); IsNull = trueExpr })) Map.empty

let private union (a: Env) (b: Env) = Map.fold (fun (acc: Env) k v -> acc.Add(k, v)) a b

/// `keys`: Some (leftKeys, rightKeys) for a hash join, None for a nested-loop join.
let produce
    (ctx: EmitContext)
    (produceChild: Produce)
    (kind: JoinKind)
    (left: PhysicalPlan)
    (right: PhysicalPlan)
    (keys: (Expr list * Expr list) option)
    (condition: Expr option)
    (consume: Consume)
    =
    let leftColumns, rightColumns = outputColumns left, outputColumns right
    let tableSlot = ctx.NewObject()
    let table = Expression.Convert(tableSlot, tableType) :> Expression
    let rows = Expression.Property(table, "Rows") :> Expression
    // Build: materialise the right input, indexing rows by key for a hash join.
    let build =
        once ctx (
            block
                [ Expression.Assign(tableSlot, Expression.New(tableType.GetConstructor([| typeof<int> |]), Expression.Constant(rightColumns.Length)))
                  produceChild right (fun env ->
                      let row = ctx.Local(typeof<int>, "build_row")
                      let store = Materialize.store rows 0 row (rightColumns |> List.map (fun c -> c, env[c.Id]))
                      let index =
                          match keys with
                          | Some(_, rightKeys) ->
                              let evaluated = rightKeys |> List.map (EmitExpr.emit ctx env)
                              let slots = evaluated |> List.map (fun e -> e.Slot)
                              (evaluated |> List.collect (fun e -> e.Code))
                              @ [ Expression.IfThen(
                                      Expression.Not(Materialize.anyNull slots),
                                      Expression.Call(table, tableType.GetMethod("Index"), Materialize.rowKey slots, row)
                                  ) ]
                          | None -> []
                      block ([ Expression.Assign(row, Expression.Call(rows, typeof<ColumnBuffer>.GetMethod("AddRow"))) :> Expression ] @ store @ index)) ]
        )
    // Probe: for each left row, iterate the candidate right rows.
    let probe =
        produceChild left (fun leftEnv ->
            let matched = ctx.Local(typeof<bool>, "matched")
            let i = ctx.Local(typeof<int>, "candidate")
            let row = ctx.Local(typeof<int>, "right_row")
            let candidates = ctx.Local(typeof<System.Collections.Generic.List<int>>, "candidates")
            let loopEnd = ctx.Label("matches_end")
            let loadCode, rightEnv = Materialize.load ctx rows 0 row rightColumns
            let both = union leftEnv rightEnv
            let testCode, test =
                match condition with
                | Some c -> EmitExpr.emitCondition ctx both c
                | None -> [], trueExpr
            let onMatch =
                match kind with
                | Semi
                | Anti -> block [ Expression.Assign(matched, trueExpr); Expression.Break(loopEnd) ]
                | FullOuter -> block [ Expression.Assign(matched, trueExpr); Expression.Call(table, tableType.GetMethod("MarkMatched"), row); consume both ]
                | _ -> block [ Expression.Assign(matched, trueExpr); consume both ]
            let count, rowAt, setup =
                match keys with
                | Some(leftKeys, _) ->
                    let evaluated = leftKeys |> List.map (EmitExpr.emit ctx leftEnv)
                    let slots = evaluated |> List.map (fun e -> e.Slot)
                    let lookup =
                        (evaluated |> List.collect (fun e -> e.Code))
                        @ [ Expression.Assign(
                                candidates,
                                Expression.Condition(
                                    Materialize.anyNull slots,
                                    Expression.Constant(System.Collections.Generic.List<int>(), candidates.Type),
                                    Expression.Call(table, tableType.GetMethod("Find"), Materialize.rowKey slots)
                                )
                            ) :> Expression ]
                    Expression.Property(candidates, "Count") :> Expression, Expression.Property(candidates, "Item", i) :> Expression, lookup
                | None -> Expression.Property(rows, "Count") :> Expression, i :> Expression, []
            let iterate =
                Expression.Loop(
                    block (
                        [ Expression.IfThen(Expression.GreaterThanOrEqual(i, count), Expression.Break(loopEnd))
                          Expression.Assign(row, rowAt)
                          Expression.PostIncrementAssign(i) ]
                        @ loadCode
                        @ testCode
                        @ [ Expression.IfThen(test, onMatch) ]
                    ),
                    loopEnd
                )
            let afterMatches =
                match kind with
                | Semi -> [ Expression.IfThen(matched, consume leftEnv) :> Expression ]
                | Anti -> [ Expression.IfThen(Expression.Not(matched), consume leftEnv) :> Expression ]
                | LeftOuter
                | FullOuter -> [ Expression.IfThen(Expression.Not(matched), consume (union leftEnv (nullEnv rightColumns))) :> Expression ]
                | _ -> []
            block (setup @ [ Expression.Assign(matched, falseExpr); Expression.Assign(i, Expression.Constant(0)); iterate ] @ afterMatches))
    // Full outer: the right rows no left row matched, with NULL left columns.
    let unmatchedRight =
        match kind with
        | FullOuter ->
            let position = ctx.NewCounter()
            let row = ctx.Local(typeof<int>, "unmatched")
            let endLabel = ctx.Label("unmatched_end")
            let loadCode, rightEnv = Materialize.load ctx rows 0 row rightColumns
            [ Expression.Loop(
                  block (
                      [ Expression.IfThen(
                            Expression.GreaterThanOrEqual(position, Expression.Convert(Expression.Property(rows, "Count"), typeof<int64>)),
                            Expression.Break(endLabel)
                        )
                        Expression.Assign(row, Expression.Convert(position, typeof<int>))
                        increment position ]
                      @ loadCode
                      @ [ Expression.IfThen(
                              Expression.Not(Expression.Call(table, tableType.GetMethod("IsMatched"), row)),
                              consume (union (nullEnv leftColumns) rightEnv)
                          ) ]
                  ),
                  endLabel
              ) :> Expression ]
        | _ -> []
    block ([ build; once ctx probe ] @ unmatchedRight)
