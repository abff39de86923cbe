/// Project: computes the output columns into locals and hands the parent only those.
module Foundry.Compiler.CodeGen.EmitProject

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan

let produce (ctx: EmitContext) (produceChild: Produce) (outputs: (Column * Expr) list) (input: PhysicalPlan) (consume: Consume) =
    produceChild input (fun env ->
        let code, projected =
            outputs
            |> List.fold
                (fun (code, acc: Env) (column, e) ->
                    let r = EmitExpr.emit ctx env e
                    code @ r.Code, acc.Add(column.Id, r.Slot))
                ([], Map.empty)
        block (code @ [ consume projected ]))
