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
/// memory budget a row of a group the table has no room for is deferred to a hash partition file
/// (keys and arguments staged in the table's Deferred row); after the groups in memory, each
/// partition's rows go through the same find-add-update code and its groups are emitted (GroupTable).
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

/// The group table: its rows (keys, then accumulators) and the staged input row of a deferred row
/// (key values, then each aggregate's argument). Without keys there is one group, which never spills.
let private newTable (ctx: EmitContext) (keys: (Column * Expr) list) (aggregates: (Column * AggregateCall) list) : Expression =
    let kind = Materialize.columnKind
    let rowKinds =
        (keys |> List.map (fun (c, _) -> kind c.Type))
        @ (aggregates |> List.collect (fun (_, a) -> if a.Function = Avg then [ ColumnKind.Double; ColumnKind.Int64 ] else [ kind (accumulatorType a) ]))
    let inputKinds =
        (keys |> List.map (fun (c, _) -> kind c.Type))
        @ (aggregates |> List.choose (fun (_, a) -> a.Argument |> Option.map (fun e -> kind e.Type)))
    let memory =
        if keys.IsEmpty then Expression.Constant(null, typeof<OperatorMemory>) :> Expression
        else Expression.Property(ctx.Context, "Memory") :> Expression
    Expression.New(
        tableType.GetConstructor([| typeof<ColumnKind[]>; typeof<ColumnKind[]>; typeof<OperatorMemory> |]),
        Expression.Constant(Array.ofList rowKinds),
        Expression.Constant(Array.ofList inputKinds),
        memory
    )

/// One input row as the aggregation sees it: the code computing its values, the key slots, and per
/// aggregate the argument's slot (None for COUNT(*)).
type private Inputs = { Code: Expression list; Keys: Slot list; Arguments: Slot option list }

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
    let deferred = Expression.Property(table, "Deferred") :> Expression
    let group = ctx.Local(typeof<int>, "group")
    let setNull (col: int) (value: bool) =
        Expression.Call(rows, bufferType.GetMethod("SetNull", [| typeof<int>; typeof<int>; typeof<bool> |]), Expression.Constant(col), group, Expression.Constant(value)) :> Expression
    let initialise =
        List.zip aggregates (List.truncate aggregates.Length firsts)
        |> List.choose (fun ((_, a), col) ->
            match a.Function with
            | Sum | Total | Min | Max -> Some(setNull col true)
            | _ -> None)
    let update (arguments: Slot option list) =
        List.zip aggregates arguments
        |> List.mapi (fun index ((_, a), argument) -> index, a, argument, firsts[index])
        |> List.map (fun (index, a, argument, col) ->
            let get t = Materialize.getValue rows col group t
            let set t v = Materialize.setValue rows col group t v
            let isNull = Materialize.isNullAt rows col group
            match a.Function, argument with
            | CountStar, _ -> set SqlType.Integer (Expression.Add(get SqlType.Integer, Expression.Constant(1L)))
            | _, None -> Expression.Empty() :> Expression
            | f, Some arg ->
                let value = arg.Value
                let t = accumulatorType a
                let body =
                    match f with
                    | Count -> set SqlType.Integer (Expression.Add(get SqlType.Integer, Expression.Constant(1L)))
                    | Sum
                    | Total ->
                        let added = EmitExpr.add t (get t) value
                        Expression.IfThenElse(isNull, block [ set t value; setNull col false ], set t added)
                    | Avg ->
                        block
                            [ set SqlType.Real (EmitExpr.add SqlType.Real (get SqlType.Real) value)
                              Materialize.setValue rows (col + 1) group SqlType.Integer (Expression.Add(Materialize.getValue rows (col + 1) group SqlType.Integer, Expression.Constant(1L))) ]
                    | Min
                    | Max ->
                        let better = EmitExpr.comparison (if f = Min then Less else Greater) value (get t)
                        Expression.IfThen(Expression.OrElse(isNull, better), block [ set t value; setNull col false ])
                    | CountStar -> Expression.Empty()
                let counted =
                    if a.Distinct then
                        Expression.IfThen(
                            Expression.Call(table, tableType.GetMethod("FirstOccurrence"), group, Expression.Constant(index), Materialize.rowKey [ arg ]),
                            body
                        ) :> Expression
                    else body
                if isConstFalse arg.IsNull then counted else Expression.IfThen(Expression.Not(arg.IsNull), counted))
    // The values of a row of the input pipeline.
    let fromInput (env: Env) =
        let keyValues = keys |> List.map (fun (_, k) -> EmitExpr.emit ctx env k)
        let arguments = aggregates |> List.map (fun (_, a) -> a.Argument |> Option.map (EmitExpr.emit ctx env))
        { Code = (keyValues |> List.collect (fun e -> e.Code)) @ (arguments |> List.choose id |> List.collect (fun e -> e.Code))
          Keys = keyValues |> List.map (fun e -> e.Slot)
          Arguments = arguments |> List.map (Option.map (fun e -> e.Slot)) }
    // The staged columns of a deferred row: the keys, then the arguments there are.
    let stagedColumns (inputs: Inputs) = inputs.Keys @ (inputs.Arguments |> List.choose id)
    let stagedAs =
        (keys |> List.map fst)
        @ (aggregates |> List.choose (fun (c, a) -> a.Argument |> Option.map (fun e -> { c with Type = e.Type; Name = c.Name + "_arg" })))
    // The values of a deferred row handed back from a partition (staged in Deferred row 0).
    let fromDeferred () =
        let code, env = Materialize.load ctx deferred 0 (Expression.Constant(0)) (stagedAs |> List.mapi (fun i c -> { c with Id = -1 - i }))
        let slots = stagedAs |> List.mapi (fun i _ -> env[-1 - i])
        let keySlots = List.truncate keys.Length slots
        let mutable rest = List.skip keys.Length slots
        let arguments =
            aggregates
            |> List.map (fun (_, a) ->
                match a.Argument, rest with
                | Some _, slot :: tail ->
                    rest <- tail
                    Some slot
                | _ -> None)
        { Code = code; Keys = keySlots; Arguments = arguments }
    // Find or add the row's group and update it; a new group the table has no room for defers the row
    // (`stage` first copies its values into Deferred row 0, unless they are there already).
    let accumulate (inputs: Inputs) (stage: Inputs -> Expression list) =
        let key = ctx.Local(typeof<obj>, "group_key")
        let create =
            block (
                [ Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Add"), key)) :> Expression
                  Expression.IfThen(
                      Expression.GreaterThanOrEqual(group, Expression.Constant(0)),
                      block (Materialize.store rows 0 group (List.zip (keys |> List.map fst) inputs.Keys) @ initialise)
                  ) ]
            )
        block (
            inputs.Code
            @ [ Expression.Assign(key, Materialize.rowKey inputs.Keys)
                Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Find"), key))
                Expression.IfThen(Expression.LessThan(group, Expression.Constant(0)), create)
                Expression.IfThenElse(
                    Expression.GreaterThanOrEqual(group, Expression.Constant(0)),
                    block (update inputs.Arguments),
                    block (stage inputs @ [ Expression.Call(table, tableType.GetMethod("Defer"), key) ])
                ) ]
        )
    let stageInput (inputs: Inputs) =
        Materialize.store deferred 0 (Expression.Constant(0)) (List.zip stagedAs (stagedColumns inputs))
    let build =
        once ctx (
            block
                [ Expression.Assign(tableSlot, newTable ctx keys aggregates)
                  if keys.IsEmpty then
                      block ([ Expression.Assign(group, Expression.Call(table, tableType.GetMethod("Add"), Expression.Field(null, typeof<RowKey>.GetField("Null")))) :> Expression ] @ initialise)
                  else Expression.Empty()
                  produceChild input (fun env ->
                      let inputs = fromInput env
                      if keys.IsEmpty then block (inputs.Code @ update inputs.Arguments)
                      else accumulate inputs stageInput) ]
        )
    // Emit one row per group; the GroupTable keeps the position.
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
    let emitGroups =
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
    // After the groups in memory, each spilled partition: its rows aggregated (those of groups that do
    // not fit deferred again, to the next level), then its groups emitted.
    let partitions =
        if keys.IsEmpty then emitGroups
        else
            let partitionsEnd = ctx.Label("partitions_end")
            let replayEnd = ctx.Label("replay_end")
            let replay =
                Expression.Loop(
                    block [ Expression.IfThen(Expression.Not(Expression.Call(table, tableType.GetMethod("NextDeferredRow"))), Expression.Break(replayEnd))
                            accumulate (fromDeferred ()) (fun _ -> []) ],
                    replayEnd
                )
            Expression.Loop(
                block
                    [ emitGroups
                      Expression.IfThen(Expression.Not(Expression.Call(table, tableType.GetMethod("NextPartition"))), Expression.Break(partitionsEnd))
                      replay ],
                partitionsEnd
            )
    block [ build; partitions ]
