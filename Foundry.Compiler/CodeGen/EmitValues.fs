/// VALUES rows: a loop over row numbers kept in a counter (so it resumes after each output row). A
/// switch on the row number evaluates that row's expressions into locals shared by all rows; the
/// parent's code is emitted once, after the switch, not once per row — an INSERT of a thousand rows
/// compiles one insert, not a thousand.
module Foundry.Compiler.CodeGen.EmitValues

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce

let produce (ctx: EmitContext) (rows: Expr list list) (columns: Column list) (consume: Consume) =
    let position = ctx.NewCounter()
    let current = ctx.Local(typeof<int>, "values_row")
    let endLabel = ctx.Label("values_end")
    let values = columns |> List.map (fun c -> c, ctx.Local(clrType c.Type, c.Name), ctx.Local(typeof<bool>, c.Name + "_null"))
    let env = values |> List.fold (fun (env: Env) (c, v, n) -> env.Add(c.Id, { Value = v; IsNull = n })) Map.empty
    let cases =
        rows
        |> List.mapi (fun i row ->
            let evaluated = row |> List.map (EmitExpr.emit ctx Map.empty)
            let assign =
                List.zip values evaluated
                |> List.collect (fun ((_, v, n), e) -> [ Expression.Assign(v, e.Slot.Value) :> Expression; Expression.Assign(n, e.Slot.IsNull) ])
            // Case bodies must be void for a switch without a default.
            let body = Expression.Block(typeof<System.Void>, (evaluated |> List.collect (fun e -> e.Code)) @ assign)
            Expression.SwitchCase(body, Expression.Constant(i)))
    Expression.Loop(
        block
            [ Expression.IfThen(Expression.GreaterThanOrEqual(position, Expression.Constant(int64 rows.Length)), Expression.Break(endLabel))
              Expression.Assign(current, Expression.Convert(position, typeof<int>))
              increment position
              Expression.Switch(typeof<System.Void>, current, null, null, cases)
              consume env ],
        endLabel
    )
