/// Physical plan -> one expression-tree lambda `bool Next(QueryState state)`, compiled to a delegate.
/// Each call runs the plan's pipelines until one output row is written to state.Output (true) or the
/// plan is exhausted (false, and false on every later call). Statements without output (INSERT,
/// UPDATE, DELETE) run to completion on the first call and count their rows in counter 0.
///
/// An output row is returned from wherever it is produced, inside any loop, and the next call jumps
/// back to just after that return (Resume.fs): joins, set operations and recursive unions stream their
/// rows, and a LIMIT above them stops the work. Every loop iteration polls the statement's stop
/// request (InterruptChecks.fs).
module Foundry.Compiler.CodeGen.QueryCompiler

open System
open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

/// EXPLAIN ANALYZE's instruments: per operator (pre-order number), the counter that counts the rows
/// it produced, and for a pipeline breaker the counter that sums the Stopwatch ticks its input took.
type Instruments =
    { RowCounters: Map<int, int>
      TimeCounters: Map<int, int> }

type CompiledProgram =
    { Lambda: Expression<Func<QueryState, bool>>
      /// The plan the code runs (the physical plan; EXPLAIN ANALYZE numbers its operators).
      Executed: PhysicalPlan
      Instruments: Instruments option
      /// Lambdas compiled separately and referenced as constants (sort comparisons), for code dumps.
      Helpers: LambdaExpression list
      Layout: StateLayout
      /// The counter holding the number of rows a statement affected, if it has one.
      AffectedCounter: int option }


/// True when the plan reads the table with this root page.
let rec private reads (rootPageId: uint32) (plan: PhysicalPlan) =
    match plan with
    | TableScan(t, _, _, _) -> t.Schema.RootPageId = rootPageId
    | _ -> children plan |> List.exists (reads rootPageId)

/// Counting for EXPLAIN ANALYZE: operator (by reference) -> pre-order number, and the counters used.
type private Instrumentation(plan: PhysicalPlan) =
    let ids = System.Collections.Generic.Dictionary<PhysicalPlan, int>(HashIdentity.Reference)
    do
        let mutable next = 0
        let rec number p =
            ids[p] <- next
            next <- next + 1
            children p |> List.iter number
        number plan
    member val Rows = System.Collections.Generic.Dictionary<int, int>()
    member val Times = System.Collections.Generic.Dictionary<int, int>()
    member _.IdOf(p: PhysicalPlan) = match ids.TryGetValue p with | true, id -> Some id | _ -> None

let private counterIndex (slot: Expression) =
    match slot with
    | :? IndexExpression as ix -> (ix.Arguments[0] :?> ConstantExpression).Value :?> int
    | _ -> invalidOp "Foundry bug: a counter slot is not an array element"

/// Wraps an operator's code: counts the rows it hands on, and for a breaker times its whole code.
let private instrument (ctx: EmitContext) (inst: Instrumentation option) (plan: PhysicalPlan) (emit: Consume -> Expression) (consume: Consume) =
    match inst |> Option.bind (fun i -> i.IdOf plan |> Option.map (fun id -> i, id)) with
    | None -> emit consume
    | Some(i, id) ->
        let rows = ctx.NewCounter()
        i.Rows[id] <- counterIndex rows
        let counted env = block [ increment rows; consume env ]
        match plan with
        | Sort _
        | TopN _
        | Materialize _
        | HashAggregate _
        | HashJoin _
        | NestedLoopJoin _ ->
            let ticks = ctx.NewCounter()
            i.Times[id] <- counterIndex ticks
            let start = ctx.Local(typeof<int64>, "ticks")
            let now = Expression.Call(typeof<System.Diagnostics.Stopwatch>.GetMethod("GetTimestamp"))
            // Time spent in the operator's code between its rows (a returned row pauses the clock).
            let timed env = block [ Expression.AddAssign(ticks, Expression.Subtract(now, start)); counted env; Expression.Assign(start, now) ]
            block [ Expression.Assign(start, now); emit timed; Expression.AddAssign(ticks, Expression.Subtract(now, start)) ]
        | _ -> emit counted

/// Dispatches each operator to its emitter.
let rec private produce (helpers: ResizeArray<LambdaExpression>) (planQuery: Query -> PhysicalPlan) (inst: Instrumentation option) (ctx: EmitContext) : Produce =
    fun plan consume -> instrument ctx inst plan (produceOperator helpers planQuery inst ctx plan) consume

and private produceOperator helpers planQuery inst (ctx: EmitContext) (plan: PhysicalPlan) : Consume -> Expression =
    fun consume ->
        let child = produce helpers planQuery inst ctx
        match plan with
        | TableScan(t, access, residual, _) -> EmitScan.produce ctx t access residual consume
        | SingleRow ->
            let emitted = ctx.NewFlag()
            Expression.IfThen(Expression.Not(emitted), block [ Expression.Assign(emitted, trueExpr); consume Map.empty ])
        | Empty _ -> Expression.Empty()
        | Values(rows, columns) -> EmitValues.produce ctx rows columns consume
        | Filter(p, input) -> EmitFilter.produce ctx child p input consume
        | Project(outputs, input) -> EmitProject.produce ctx child outputs input consume
        | HashJoin(kind, l, r, lk, rk, residual) -> EmitJoin.produce ctx child kind l r (Some(lk, rk)) residual consume
        | NestedLoopJoin(kind, l, r, condition) -> EmitJoin.produce ctx child kind l r None condition consume
        | HashAggregate(keys, aggs, input) -> EmitAggregate.produce ctx child keys aggs input consume
        | HashDistinct input -> EmitDistinct.produce ctx child input consume
        | Sort(keys, input) ->
            helpers.Add(EmitSort.comparer (outputColumns input) keys)
            EmitSort.produce ctx child keys input consume
        | Materialize input -> EmitSort.produce ctx child [] input consume
        | TopN(count, keys, input) ->
            helpers.Add(EmitSort.comparer (outputColumns input) keys)
            EmitSort.produceTop ctx child count keys input consume
        | Limit(count, offset, input) -> EmitLimit.produce ctx child count offset input consume
        | SetOperation(op, all, l, r, columns) -> EmitSetOperation.produce ctx child op all l r columns consume
        | RecursiveUnion(id, all, b, st, columns) -> EmitRecursiveUnion.produce ctx child id all b st columns consume
        | WorkingTable(id, columns) -> EmitRecursiveUnion.produceWorkingTable ctx id columns consume
        | Insert(t, checks, input) ->
            let input = if reads t.RootPageId input then Materialize input else input
            EmitDml.produceInsert ctx child t checks input consume
        | Update(t, assignments, checks, input) -> EmitDml.produceChange ctx child t (Some assignments) checks input consume
        | Delete(t, checks, input) -> EmitDml.produceChange ctx child t None checks input consume

/// Writes one row's output columns into state.Output, typed by column.
let private writeOutput (ctx: EmitContext) (columns: Column list) (env: Env) =
    let output = Expression.Field(ctx.State, "Output")
    let arrayOf (name: string) = Expression.Field(output, name)
    columns
    |> List.mapi (fun i c ->
        let slot = env[c.Id]
        let at (name: string) = Expression.ArrayAccess(arrayOf name, Expression.Constant(i))
        let value =
            match c.Type with
            | SqlType.Real -> Expression.Assign(at "Doubles", slot.Value) :> Expression
            | SqlType.Boolean -> Expression.Assign(at "Int64s", Expression.Condition(slot.Value, Expression.Constant(1L), Expression.Constant(0L)))
            | SqlType.Text
            | SqlType.Blob -> Expression.Assign(at "References", Expression.Convert(slot.Value, typeof<obj>))
            | _ -> Expression.Assign(at "Int64s", slot.Value)
        block [ Expression.Assign(at "Nulls", slot.IsNull); value ])

/// Generates the statement's lambda (not yet compiled). `planQuery` plans subqueries; `instrumented`
/// adds EXPLAIN ANALYZE's counters, numbered over `Executed`.
let generateWith (instrumented: bool) (planQuery: Query -> PhysicalPlan) (plan: PhysicalPlan) : CompiledProgram =
    let inst = if instrumented then Some(Instrumentation plan) else None
    let ctx = EmitContext()
    let outputs = outputColumns plan
    ctx.NeededColumns <- decodedColumns plan
    let helpers = ResizeArray<LambdaExpression>()
    let produceWith = produce helpers planQuery inst
    ctx.EmitSubquery <-
        fun ctx env kind q ->
            let subplan = planQuery q
            ctx.NeededColumns <- Set.union ctx.NeededColumns (decodedColumns subplan)
            EmitSubquery.emit produceWith subplan ctx env kind
    let finished = ctx.NewFlag()
    let returnLabel = Expression.Label(typeof<bool>, "row_ready")
    let resume = Resume.ResumePoints(ctx, returnLabel)
    let isChange =
        match plan with
        | Insert _
        | Update _
        | Delete _ -> true
        | _ -> false
    let pipelines = produceWith ctx plan (fun env -> resume.Suspend(writeOutput ctx outputs env)) |> InterruptChecks.add ctx
    let dispatch, pipelines = resume.Finish pipelines
    let body =
        Expression.Block(
            typeof<bool>,
            ctx.Variables,
            [ Expression.IfThen(finished, Expression.Return(returnLabel, falseExpr)) :> Expression
              dispatch
              pipelines
              Expression.Assign(finished, trueExpr)
              Expression.Label(returnLabel, falseExpr) ]
        )
    { Lambda = Expression.Lambda<Func<QueryState, bool>>(body, "next", [ ctx.State ])
      Executed = plan
      Instruments =
        inst
        |> Option.map (fun i ->
            { RowCounters = i.Rows |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
              TimeCounters = i.Times |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq })
      Helpers = List.ofSeq helpers
      Layout = ctx.Layout
      AffectedCounter = if isChange then Some 0 else None }

let compile (program: CompiledProgram) : Func<QueryState, bool> = program.Lambda.Compile()

let generate (planQuery: Query -> PhysicalPlan) (plan: PhysicalPlan) : CompiledProgram = generateWith false planQuery plan
