/// Physical plan -> one expression-tree lambda `bool Next(QueryState state)`, compiled to a delegate.
/// Each call runs the plan's pipelines until one output row is written to state.Output (true) or the
/// plan is exhausted (false, and false on every later call). Statements without output (INSERT) run
/// to completion on the first call and count their rows in counter 0.
module Foundry.Compiler.CodeGen.QueryCompiler

open System
open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

type CompiledProgram =
    { Lambda: Expression<Func<QueryState, bool>>
      /// Lambdas compiled separately and referenced as constants (sort comparisons), for code dumps.
      Helpers: LambdaExpression list
      Layout: StateLayout
      /// The counter holding the number of rows a statement affected, if it has one.
      AffectedCounter: int option }

/// Dispatches each operator to its emitter.
let rec private produce (ctx: EmitContext) (helpers: ResizeArray<LambdaExpression>) : Produce =
    fun plan consume ->
        let child = produce ctx helpers
        match plan with
        | TableScan(t, access, residual, _) -> EmitScan.produce ctx t access residual consume
        | SingleRow ->
            let emitted = ctx.NewFlag()
            Expression.IfThen(Expression.Not(emitted), block [ Expression.Assign(emitted, trueExpr); consume Map.empty ])
        | Empty _ -> Expression.Empty()
        | Filter(p, input) -> EmitFilter.produce ctx child p input consume
        | Project(outputs, input) -> EmitProject.produce ctx child outputs input consume
        | Sort(keys, input) ->
            helpers.Add(EmitSort.comparer (outputColumns input) keys)
            EmitSort.produce ctx child keys input consume
        | Limit(count, offset, input) -> EmitLimit.produce ctx child count offset input consume
        | Insert(t, rows) -> EmitInsert.produce ctx t rows

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

/// Ids of every column an expression in the plan reads.
let rec private neededColumns (plan: PhysicalPlan) : Set<int> =
    let own = expressions plan |> List.collect Expr.columns |> List.map (fun c -> c.Id) |> Set.ofList
    let below = children plan |> List.map neededColumns |> Set.unionMany
    // A sort materialises all its input columns.
    let materialised =
        match plan with
        | Sort(_, input) -> outputColumns input |> List.map (fun c -> c.Id) |> Set.ofList
        | _ -> Set.empty
    Set.unionMany [ own; below; materialised ]

/// Generates the statement's lambda (not yet compiled).
let generate (plan: PhysicalPlan) : CompiledProgram =
    let ctx = EmitContext()
    let outputs = outputColumns plan
    ctx.NeededColumns <- Set.union (neededColumns plan) (outputs |> List.map (fun c -> c.Id) |> Set.ofList)
    let helpers = ResizeArray<LambdaExpression>()
    let finished = ctx.NewFlag()
    let returnLabel = Expression.Label(typeof<bool>, "row_ready")
    let isInsert = match plan with Insert _ -> true | _ -> false
    let pipelines =
        produce ctx helpers plan (fun env ->
            block (writeOutput ctx outputs env @ [ Expression.Return(returnLabel, trueExpr) ]))
    let body =
        Expression.Block(
            typeof<bool>,
            ctx.Variables,
            [ Expression.IfThen(finished, Expression.Return(returnLabel, falseExpr)) :> Expression
              pipelines
              Expression.Assign(finished, trueExpr)
              Expression.Label(returnLabel, falseExpr) ]
        )
    { Lambda = Expression.Lambda<Func<QueryState, bool>>(body, "next", [ ctx.State ])
      Helpers = List.ofSeq helpers
      Layout = ctx.Layout
      AffectedCounter = if isInsert then Some 0 else None }

let compile (program: CompiledProgram) : Func<QueryState, bool> = program.Lambda.Compile()
