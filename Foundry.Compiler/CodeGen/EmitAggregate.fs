/// Hash aggregation, a pipeline breaker. The first call runs the input to completion, finding each
/// row's group in a GroupTable (key -> group number; no keys: one group, created up front so that an
/// empty input still yields a row) and updating the group's accumulators, which live in typed columns
/// of the table's buffer after the key columns:
///
///     COUNT(*), COUNT(x)        Int64 count
///     SUM(x), TOTAL(x)          running sum (Int64 checked, or Double), NULL until a value arrives
///     AVG(x)                    Double sum, then Int64 count
///     MIN(x), MAX(x)            the extreme value, NULL until a value arrives
///
/// DISTINCT aggregates first ask the table whether the value is new in the group. Then a loop emits
/// one row per group (the table keeps the position), finishing AVG and TOTAL. Beyond the statement's
/// memory budget the table spills its groups to hash partitions and folds them back partition by
/// partition (GroupTable), with the merge rule of each accumulator column given here.
module Foundry.Compiler.CodeGen.EmitAggregate

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private tableType = typeof<GroupTable>
let private bufferType = typeof<ColumnBuffer>

/// How many buffer columns an aggregate's accumulator takes.
let private width (a: AggregateCall) = if a.Function = Avg then 2 else 1

/// The accumulator's type of the first (or only) column.
let private accumulatorType (a: AggregateCall) =
    match a.Function with
    | CountStar
    | Count -> SqlType.Integer
    | Avg
    | Total -> SqlType.Real
    | _ -> a.Type

/// The kinds and merge rules of an accumulator's buffer columns (see AccumulatorMerge).
let private accumulatorColumns (a: AggregateCall) : (ColumnKind * AccumulatorMerge) list =
    let kind = Materialize.columnKind (accumulatorType a)
    match a.Function with
    | CountStar
    | Count -> [ kind, AccumulatorMerge.AddInt64 ]
    | Avg -> [ ColumnKind.Double, AccumulatorMerge.AddDouble; ColumnKind.Int64, AccumulatorMerge.AddInt64 ]
    | Sum
    | Total -> [ kind, (if kind = ColumnKind.Double then AccumulatorMerge.SumDouble else AccumulatorMerge.SumInt64) ]
    | Min -> [ kind, AccumulatorMerge.Min ]
    | Max -> [ kind, AccumulatorMerge.Max ]

/// `new GroupTable(kinds, merges, memory)`: the group table spills beyond the statement's memory budget,
/// except with DISTINCT aggregates, whose per-group value sets stay in memory (memory null).
let private newTable (ctx: EmitContext) (keys: (Column * Expr) list) (aggregates: (Column * AggregateCall) list) : Expression =
    let columns =
        (keys |> List.map (fun (c, _) -> Materialize.columnKind c.Type, AccumulatorMerge.Key))
        @ (aggregates |> List.collect (snd >> accumulatorColumns))
    let memory =
        if aggregates |> List.exists (fun (_, a) -> a.Distinct) then Expression.Constant(null, typeof<OperatorMemory>) :> Expression
        else Expression.Property(ctx.Context, "Memory") :> Expression
    Expression.New(
        tableType.GetConstructor([| typeof<ColumnKind[]>; typeof<AccumulatorMerge[]>; typeof<OperatorMemory> |]),
        Expression.Constant(columns |> List.map fst |> Array.ofList),
        Expression.Constant(columns |> List.map snd |> Array.ofList),
        memory
    )

let produce
    (ctx: EmitContext)
    (produceChild: Produce)
    (keys: (Column * Expr) list)
    (aggregates: (Column * AggregateCall) list)
    (input: PhysicalPlan)
    (consume: Consume)
    =
    let firsts = aggregates |> List.scan (fun acc (_, a) -> acc + width a) keys.Length
    let tableSlot = ctx.NewObject()
    let table = Expression.Convert(tableSlot, tableType) :> Expression
    let rows = Expression.Property(table, "Rows") :> Expression
    let group = ctx.Local(typeof<int>, "group")
    let setNull (col: int) (value: bool) =
        Expression.Call(rows, bufferType.GetMethod("SetNull", [| typeof<int>; typeof<int>; typeof<bool> |]), Expression.Constant(col), group, Expression.Constant(value)) :> Expression
    let initialise =
        List.zip aggregates (List.truncate aggregates.Length firsts)
        |> List.choose (fun ((_, a), col) ->
            match a.Function with
            | Sum | Total | Min | Max -> Some(setNull col true)
            | _ -> None)
    let update (env: Env) =
        aggregates
        |> List.mapi (fun index (_, a) -> index, a, firsts[index])
        |> List.map (fun (index, a, col) ->
            let get t = Materialize.getValue rows col group t
            let set t v = Materialize.setValue rows col group t v
            let isNull = Materialize.isNullAt rows col group
            match a.Function, a.Argument with
            | CountStar, _ -> set SqlType.Integer (Expression.Add(get SqlType.Integer, Expression.Constant(1L)))
            | _, None -> Expression.Empty() :> Expression
            | f, Some argument ->
                let arg = EmitExpr.emit ctx env argument
                let value = arg.Slot.Value
                let t = accumulatorType a
                let body =
                    match f with
                    | Count -> set SqlType.Integer (Expression.Add(get SqlType.Integer, Expression.Constant(1L)))
                    | Sum
                    | Total ->
                        let added = if t = SqlType.Integer then Expression.AddChecked(get t, value) :> Expression else Expression.Add(get t, value)
                        Expression.IfThenElse(isNull, block [ set t value; setNull col false ], set t added)
                    | Avg ->
                        block
                            [ set SqlType.Real (Expression.Add(get SqlType.Real, value))
                              Materialize.setValue rows (col + 1) group SqlType.Integer (Expression.Add(Materialize.getValue rows (col + 1) group SqlType.Integer, Expression.Constant(1L))) ]
                    | Min
                    | Max ->
                        let better = EmitExpr.comparison (if f = Min then Less else Greater) value (get t)
                        Expression.IfThen(Expression.OrElse(isNull, better), block [ set t value; setNull col false ])
                    | CountStar -> Expression.Empty()
                let counted =
                    if a.Distinct then
                        Expression.IfThen(
                            Expression.Call(table, tableType.GetMethod("FirstOccurrence"), group, Expression.Constant(index), Materialize.rowKey [ arg.Slot ]),
                            body
                        ) :> Expression
                    else body
                block (arg.Code @ [ (if isConstFalse arg.Slot.IsNull then counted else Expression.IfThen(Expression.Not(arg.Slot.IsNull), counted)) ]))
    let build =
        once ctx (
            block
                [ Expression.Assign(tableSlot, newTable ctx keys aggregates)
                  if keys.IsEmpty then
                      block ([ Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Add"), Expression.Field(null, typeof<RowKey>.GetField("Null")))) :> Expression ] @ initialise)
                  else Expression.Empty()
                  produceChild input (fun env ->
                      if keys.IsEmpty then block (update env)
                      else
                          let evaluated = keys |> List.map (fun (_, k) -> EmitExpr.emit ctx env k)
                          let slots = evaluated |> List.map (fun e -> e.Slot)
                          let key = ctx.Local(typeof<obj>, "group_key")
                          let create =
                              block (
                                  [ Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Add"), key)) :> Expression ]
                                  @ Materialize.store rows 0 group (List.zip (keys |> List.map fst) slots)
                                  @ initialise
                              )
                          block (
                              (evaluated |> List.collect (fun e -> e.Code))
                              @ [ Expression.Assign(key, Materialize.rowKey slots)
                                  Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Find"), key))
                                  Expression.IfThen(Expression.LessThan(group, Expression.Constant(0)), create) ]
                              @ update env
                          ))
                  Expression.Call(table, tableType.GetMethod("Finish")) ]
        )
    // Emit one row per group; the GroupTable keeps the position (and loads spilled partitions).
    let endLabel = ctx.Label("groups_end")
    let keyCode, keyEnv = Materialize.load ctx rows 0 group (keys |> List.map fst)
    let finals, env =
        List.zip aggregates (List.truncate aggregates.Length firsts)
        |> List.fold
            (fun (code, env: Env) ((column, a), col) ->
                let v = ctx.Local(clrType column.Type, column.Name)
                let n = ctx.Local(typeof<bool>, column.Name + "_null")
                let assign value isNull = [ Expression.Assign(n, isNull) :> Expression; Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), value)) ]
                let stored = Materialize.getValue rows col group (accumulatorType a)
                let storedNull = Materialize.isNullAt rows col group
                let c =
                    match a.Function with
                    | CountStar
                    | Count -> assign stored falseExpr
                    | Total -> [ Expression.Assign(n, falseExpr) :> Expression; Expression.Assign(v, Expression.Condition(storedNull, Expression.Constant(0.0), stored)) ]
                    | Avg ->
                        let count = Materialize.getValue rows (col + 1) group SqlType.Integer
                        assign (Expression.Divide(stored, Expression.Convert(count, typeof<float>))) (Expression.Equal(count, Expression.Constant(0L)))
                    | _ -> assign stored storedNull
                code @ c, env.Add(column.Id, { Value = v; IsNull = n }))
            ([], keyEnv)
    let emitLoop =
        Expression.Loop(
            block (
                [ Expression.IfThen(Expression.Not(Expression.Call(table, tableType.GetMethod("MoveNext"))), Expression.Break(endLabel))
                  Expression.Assign(group, Expression.Property(table, "CurrentGroup")) ]
                @ keyCode
                @ finals
                @ [ consume env ]
            ),
            endLabel
        )
    block [ build; emitLoop ]
