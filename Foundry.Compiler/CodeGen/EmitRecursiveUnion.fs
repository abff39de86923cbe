/// WITH RECURSIVE, streamed. The base input's rows go to the parent and into the working rows; then,
/// while the last iteration added rows, the step runs once over them (its working-table scans read the
/// previous iteration's rows from a state slot; its other slots are reset first, as for a subquery)
/// and each new row goes to the parent and into the next working rows. Only one iteration's rows are
/// kept, so a LIMIT above stops an unbounded recursion after the rows it needs (the parent's row is
/// handed on as it is produced: see Resume.fs). UNION (not ALL) keeps a RowSet of the rows produced so
/// far and drops repeats, which is also what ends a recursion over a cycle.
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
    let workingSlot = ctx.NewObject()
    let nextSlot = ctx.NewObject()
    let seenSlot = ctx.NewObject()
    let seen = Expression.Convert(seenSlot, typeof<RowSet>) :> Expression
    ctx.WorkingTables <- ctx.WorkingTables.Add(id, workingSlot)
    /// Appends a produced row to `target` and hands it on under the union's column ids, unless UNION has seen it.
    let accept (input: Column list) (target: Expression) (env: Env) =
        let slots = input |> List.map (fun c -> env[c.Id])
        let row = ctx.Local(typeof<int>, "working_row")
        let renamed = List.zip columns slots |> List.fold (fun (acc: Env) (c, slot) -> acc.Add(c.Id, slot)) Map.empty
        let append =
            block (
                [ Expression.Assign(row, Expression.Call(target, bufferType.GetMethod("AddRow"))) :> Expression ]
                @ Materialize.store target 0 row (List.zip columns slots)
                @ [ consume renamed ]
            )
        if all then append
        else Expression.IfThen(Expression.Call(seen, typeof<RowSet>.GetMethod("Add"), Materialize.rowKey slots), append) :> Expression
    let baseCode = once ctx (produceChild baseInput (accept (outputColumns baseInput) (Expression.Convert(workingSlot, bufferType))))
    // The step's own slots are reset before each iteration.
    let before = ctx.Mark
    let stepCode = produceChild step (accept (outputColumns step) (Expression.Convert(nextSlot, bufferType)))
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
                  Expression.Assign(nextSlot, newBuffer ())
                  reset
                  stepCode
                  Expression.Assign(workingSlot, nextSlot) ],
            iterationsEnd
        )
    let start =
        Expression.IfThen(
            Expression.Equal(workingSlot, Expression.Constant(null)),
            block [ Expression.Assign(workingSlot, newBuffer ()); Expression.Assign(seenSlot, Expression.New(typeof<RowSet>)) ]
        )
    block [ start; baseCode; once ctx iterate ]

/// The working table's rows: the previous iteration's, from the slot its RecursiveUnion set.
let produceWorkingTable (ctx: EmitContext) (id: int) (columns: Column list) (consume: Consume) =
    let slot =
        match ctx.WorkingTables.TryFind id with
        | Some s -> s
        | None -> invalidOp (sprintf "Foundry bug: working table %d is read outside its recursive union" id)
    let buffer = Expression.Convert(slot, bufferType) :> Expression
    Materialize.emitRows ctx buffer (ctx.NewCounter()) columns false consume
