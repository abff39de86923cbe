/// VALUES rows: a loop over row numbers kept in a counter (so it resumes after each output row); each
/// row's expressions are evaluated only when that row is reached.
module Foundry.Compiler.CodeGen.EmitValues

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce

let produce (ctx: EmitContext) (rows: Expr list list) (columns: Column list) (consume: Consume) =
    let position = ctx.NewCounter()
    let current = ctx.Local(typeof<int>, "values_row")
    let endLabel = ctx.Label("values_end")
    let cases =
        rows
        |> List.mapi (fun i row ->
            let evaluated = row |> List.map (EmitExpr.emit ctx Map.empty)
            let env = List.zip columns evaluated |> List.fold (fun (env: Env) (c, e) -> env.Add(c.Id, e.Slot)) Map.empty
            // Case bodies must be void for a switch without a default.
            let body = Expression.Block(typeof<System.Void>, (evaluated |> List.collect (fun e -> e.Code)) @ [ consume env ])
            Expression.SwitchCase(body, Expression.Constant(i)))
    Expression.Loop(
        block
            [ Expression.IfThen(Expression.GreaterThanOrEqual(position, Expression.Constant(int64 rows.Length)), Expression.Break(endLabel))
              Expression.Assign(current, Expression.Convert(position, typeof<int>))
              increment position
              Expression.Switch(typeof<System.Void>, current, null, null, cases) ],
        endLabel
    )
