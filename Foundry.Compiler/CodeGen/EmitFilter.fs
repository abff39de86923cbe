/// Filter: the parent's code runs only for rows whose condition is TRUE. No loop of its own.
module Foundry.Compiler.CodeGen.EmitFilter

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan

let produce (ctx: EmitContext) (produceChild: Produce) (predicate: Expr) (input: PhysicalPlan) (consume: Consume) =
    produceChild input (fun env ->
        let code, test = EmitExpr.emitCondition ctx env predicate
        block (code @ [ Expression.IfThen(test, consume env) ]))
