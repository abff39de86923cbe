/// Joins. Both algorithms materialise the right input once (the build side) into a JoinTable and
/// stream the left input (the probe side):
/// - hash join: rows indexed by their key values; a left row looks up its key (a key with a NULL
///   never matches) and tests the residual condition on each candidate;
/// - nested-loop join: a left row tests the condition against every right row.
/// Inner joins emit each matching pair; left outer joins also emit an unmatched left row with NULL
/// right columns; full outer joins then emit every right row nothing matched; semi joins emit a left
/// row once if it has a match, anti joins if it has none.
/// A hash join's table spills beyond the statement's memory budget (a grace hash join, JoinTable):
/// then a probe row whose key has no NULL is deferred to its partition file, and after the probe
/// input a loop hands the deferred rows back, partition by partition, to the same matching code.
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
    let kinds (columns: Column list) = Expression.Constant(columns |> List.map (fun c -> Materialize.columnKind c.Type) |> Array.ofList)
    let newTable =
        match keys with
        | Some _ ->
            Expression.New(
                tableType.GetConstructor([| typeof<ColumnKind[]>; typeof<ColumnKind[]>; typeof<bool>; typeof<OperatorMemory> |]),
                kinds rightColumns,
                kinds leftColumns,
                Expression.Constant((kind = FullOuter)),
                Expression.Property(ctx.Context, "Memory")
            )
        | None -> Expression.New(tableType.GetConstructor([| typeof<int> |]), Expression.Constant(rightColumns.Length))
    // Build: materialise the right input, indexing rows by key for a hash join.
    let build =
        once ctx (
            block
                [ Expression.Assign(tableSlot, newTable)
                  produceChild right (fun env ->
                      let row = ctx.Local(typeof<int>, "build_row")
                      let store = Materialize.store rows 0 row (rightColumns |> List.map (fun c -> c, env[c.Id]))
                      let index =
                          match keys with
                          | Some(_, rightKeys) ->
                              let evaluated = rightKeys |> List.map (EmitExpr.emit ctx env)
                              let slots = evaluated |> List.map (fun e -> e.Slot)
                              (evaluated |> List.collect (fun e -> e.Code))
                              @ [ Expression.IfThenElse(
                                      Expression.Not(Materialize.anyNull slots),
                                      Expression.Call(table, tableType.GetMethod("Index"), Materialize.rowKey slots, row),
                                      Expression.Call(table, tableType.GetMethod("KeepUnindexed"), row)
                                  ) ]
                          | None -> []
                      block ([ Expression.Assign(row, Expression.Call(table, tableType.GetMethod("AddRow"))) :> Expression ] @ store @ index)) ]
        )
    // Probe: for each left row, iterate the candidate right rows. `deferrable`: while the build side is
    // spilled, a row whose key has no NULL goes to its partition instead (JoinTable.DeferProbe).
    let probeRow (deferrable: bool) (leftEnv: Env) =
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
        let count, rowAt, setup, lookup, defer =
            match keys with
            | Some(leftKeys, _) ->
                let evaluated = leftKeys |> List.map (EmitExpr.emit ctx leftEnv)
                let slots = evaluated |> List.map (fun e -> e.Slot)
                let lookup =
                    Expression.Assign(
                        candidates,
                        Expression.Condition(
                            Materialize.anyNull slots,
                            Expression.Constant(System.Collections.Generic.List<int>(), candidates.Type),
                            Expression.Call(table, tableType.GetMethod("Find"), Materialize.rowKey slots)
                        )
                    ) :> Expression
                let defer =
                    if deferrable then
                        let probeRows = Expression.Property(table, "ProbeRows") :> Expression
                        let stage = Materialize.store probeRows 0 (Expression.Constant(0)) (leftColumns |> List.map (fun c -> c, leftEnv[c.Id]))
                        let deferCall = Expression.Call(table, tableType.GetMethod("DeferProbe"), Materialize.rowKey slots, Expression.Constant(0))
                        Some(Expression.AndAlso(Expression.Field(table, "Spilled"), Expression.Not(Materialize.anyNull slots)) :> Expression, block (stage @ [ deferCall ]))
                    else None
                Expression.Property(candidates, "Count") :> Expression,
                Expression.Property(candidates, "Item", i) :> Expression,
                (evaluated |> List.collect (fun e -> e.Code)),
                [ lookup ],
                defer
            | None -> Expression.Property(rows, "Count") :> Expression, i :> Expression, [], [], None
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
        let matching = block (lookup @ [ Expression.Assign(matched, falseExpr); Expression.Assign(i, Expression.Constant(0)); iterate ] @ afterMatches)
        match defer with
        | Some(spilledWithKey, deferCode) -> block (setup @ [ Expression.IfThenElse(spilledWithKey, deferCode, matching) ])
        | None -> block (setup @ [ matching ])
    let probe = produceChild left (probeRow true)
    // After the probe input: the rows deferred to partitions, matched partition by partition (the
    // JoinTable keeps the position, so the loop resumes after a returned row).
    let deferred =
        match keys with
        | Some _ ->
            let endLabel = ctx.Label("deferred_end")
            let loadCode, leftEnv = Materialize.load ctx (Expression.Property(table, "ProbeRows")) 0 (Expression.Constant(0)) leftColumns
            [ once ctx (
                  Expression.Loop(
                      block (
                          [ Expression.IfThen(Expression.Not(Expression.Call(table, tableType.GetMethod("NextDeferredProbe"))), Expression.Break(endLabel)) ]
                          @ loadCode
                          @ [ probeRow false leftEnv ]
                      ),
                      endLabel
                  )
              ) ]
        | None -> []
    // Full outer: the right rows no left row matched, with NULL left columns (the JoinTable keeps the
    // position, and reads them back from a file when the build side was spilled).
    let unmatchedRight =
        match kind with
        | FullOuter ->
            let current = ctx.Local(typeof<ColumnBuffer>, "unmatched_rows")
            let row = ctx.Local(typeof<int>, "unmatched")
            let endLabel = ctx.Label("unmatched_end")
            let loadCode, rightEnv = Materialize.load ctx current 0 row rightColumns
            [ Expression.Loop(
                  block (
                      [ Expression.IfThen(Expression.Not(Expression.Call(table, tableType.GetMethod("NextUnmatched"))), Expression.Break(endLabel))
                        Expression.Assign(current, Expression.Property(table, "UnmatchedRows"))
                        Expression.Assign(row, Expression.Property(table, "UnmatchedRow")) ]
                      @ loadCode
                      @ [ consume (union (nullEnv leftColumns) rightEnv) ]
                  ),
                  endLabel
              ) :> Expression ]
        | _ -> []
    block ([ build; once ctx probe ] @ deferred @ unmatchedRight)
