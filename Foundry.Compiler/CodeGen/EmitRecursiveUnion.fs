/// WITH RECURSIVE, a pipeline breaker. On the first call: the base input's rows go into the result
/// and into the working rows; then, while the last iteration added rows, the step runs once over them
/// (its working-table scans read the previous iteration's rows from a state slot; its other slots are
/// reset first, as for a subquery) and its new rows go into the result and the next working rows.
/// UNION (not ALL) keeps a RowSet of the rows produced so far and drops repeats, which is also what
/// ends a recursion over a cycle. Then the result is emitted, resuming at a position counter.
module Foundry.Compiler.CodeGen.EmitRecursiveUnion

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let private bufferType = typeof<ColumnBuffer>

let produce (ctx: EmitContext) (produceChild: Produce) (id: int) (all: bool) (baseInput: PhysicalPlan) (step: PhysicalPlan) (columns: Column list) (consume: Consume) =
    let width = columns.Length
    let newBuffer () = Expression.New(bufferType.GetConstructor([| typeof<int> |]), Expression.Constant(width)) :> Expression
    let resultSlot = ctx.NewBuffer()
    let result = Expression.Convert(resultSlot, bufferType) :> Expression
    let workingSlot = ctx.NewObject()
    let seenSlot = ctx.NewObject()
    let seen = Expression.Convert(seenSlot, typeof<RowSet>) :> Expression
    let next = ctx.Local(bufferType, "next_working")
    ctx.WorkingTables <- ctx.WorkingTables.Add(id, workingSlot)
    /// Appends a produced row (by position) to the result and to `target`, unless UNION has seen it.
    let accept (input: Column list) (target: Expression) (env: Env) =
        let slots = input |> List.map (fun c -> env[c.Id])
        let typed = List.zip columns slots
        let resultRow = ctx.Local(typeof<int>, "result_row")
        let targetRow = ctx.Local(typeof<int>, "working_row")
        let append =
            block (
                [ Expression.Assign(resultRow, Expression.Call(result, bufferType.GetMethod("AddRow"))) :> Expression ]
                @ Materialize.store result 0 resultRow typed
                @ [ Expression.Assign(targetRow, Expression.Call(target, bufferType.GetMethod("AddRow"))) :> Expression ]
                @ Materialize.store target 0 targetRow typed
            )
        if all then append
        else Expression.IfThen(Expression.Call(seen, typeof<RowSet>.GetMethod("Add"), Materialize.rowKey slots), append) :> Expression
    let baseCode = produceChild baseInput (accept (outputColumns baseInput) (Expression.Convert(workingSlot, bufferType)))
    // The step's own slots are reset before each iteration.
    let before = ctx.Mark
    let stepCode = produceChild step (accept (outputColumns step) next)
    let after = ctx.Mark
    let reset =
        Expression.Call(
            ctx.State,
            typeof<QueryState>.GetMethod("ResetSlots"),
            [| before.Cursors; after.Cursors - before.Cursors; before.Counters; after.Counters - before.Counters; before.Flags; after.Flags - before.Flags; before.Buffers; after.Buffers - before.Buffers; before.Objects; after.Objects - before.Objects |]
            |> Array.map (fun i -> Expression.Constant(i) :> Expression)
        )
    let iterationsEnd = ctx.Label("recursion_done")
    let iterate =
        Expression.Loop(
            block
                [ Expression.IfThen(
                      Expression.Equal(Expression.Property(Expression.Convert(workingSlot, bufferType), "Count"), Expression.Constant(0)),
                      Expression.Break(iterationsEnd)
                  )
                  Expression.Assign(next, newBuffer ())
                  reset
                  stepCode
                  Expression.Assign(workingSlot, next) ],
            iterationsEnd
        )
    let fill =
        once ctx (
            block
                [ Expression.Assign(resultSlot, newBuffer ())
                  Expression.Assign(workingSlot, newBuffer ())
                  Expression.Assign(seenSlot, Expression.New(typeof<RowSet>))
                  baseCode
                  iterate ]
        )
    let position = ctx.NewCounter()
    block [ fill; Materialize.emitRows ctx result position columns false consume ]

/// The working table's rows: the previous iteration's, from the slot its RecursiveUnion set.
let produceWorkingTable (ctx: EmitContext) (id: int) (columns: Column list) (consume: Consume) =
    let slot =
        match ctx.WorkingTables.TryFind id with
        | Some s -> s
        | None -> invalidOp (sprintf "Foundry bug: working table %d is read outside its recursive union" id)
    let buffer = Expression.Convert(slot, bufferType) :> Expression
    Materialize.emitRows ctx buffer (ctx.NewCounter()) columns false consume
