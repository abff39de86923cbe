/// Limit/offset: counters in the QueryState count rows skipped and emitted; once the limit is reached
/// control jumps past the input's loops, so no further row is read. The check also runs on entry, so
/// a resumed execution that already emitted its last row stops without reading one more.
module Foundry.Compiler.CodeGen.EmitLimit

open System.Linq.Expressions
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan

let produce (ctx: EmitContext) (produceChild: Produce) (count: int64 option) (offset: int64) (input: PhysicalPlan) (consume: Consume) =
    let skipped = ctx.NewCounter()
    let emitted = ctx.NewCounter()
    let done' = ctx.Label("limit_done")
    let reached =
        match count with
        | Some n -> Some(Expression.GreaterThanOrEqual(emitted, Expression.Constant(n)) :> Expression)
        | None -> None
    let onRow env =
        let emit =
            block
                [ match reached with
                  | Some r -> Expression.IfThen(r, Expression.Goto(done'))
                  | None -> ()
                  increment emitted
                  consume env ]
        if offset = 0L then emit
        else Expression.IfThenElse(Expression.LessThan(skipped, Expression.Constant(offset)), increment skipped, emit)
    block
        [ match reached with
          | Some r -> Expression.IfThen(r, Expression.Goto(done'))
          | None -> ()
          produceChild input onRow
          Expression.Label(done') ]
