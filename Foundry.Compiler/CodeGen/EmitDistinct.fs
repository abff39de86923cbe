/// DISTINCT: streams its input and passes a row on only the first time its values occur (NULLs equal
/// each other), remembering the rows seen in a RowSet in the QueryState.
module Foundry.Compiler.CodeGen.EmitDistinct

open System.Linq.Expressions
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

let produce (ctx: EmitContext) (produceChild: Produce) (input: PhysicalPlan) (consume: Consume) =
    let columns = outputColumns input
    let setSlot = ctx.NewObject()
    let set = Expression.Convert(setSlot, typeof<RowSet>)
    block
        [ Expression.IfThen(Expression.Equal(setSlot, Expression.Constant(null)), Expression.Assign(setSlot, Expression.New(typeof<RowSet>)))
          produceChild input (fun env ->
              let key = Materialize.rowKey (columns |> List.map (fun c -> env[c.Id]))
              Expression.IfThen(Expression.Call(set, typeof<RowSet>.GetMethod("Add"), key), consume env)) ]
