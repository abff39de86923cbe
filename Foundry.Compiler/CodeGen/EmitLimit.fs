/// Limit/offset: the count and offset are evaluated once, on the first call (they may be parameters;
/// a negative value is an error); counters in the QueryState count rows skipped and emitted. Once the
/// limit is reached control jumps past the input's loops, so no further row is read. The check also
/// runs on entry, so a resumed execution that already emitted its last row stops without reading more.
module Foundry.Compiler.CodeGen.EmitLimit

open System.Linq.Expressions
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.CodeGen.Produce
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

/// Evaluates a LIMIT/OFFSET expression into a counter slot (NULL means no limit / no offset).
let private evaluateInto (ctx: EmitContext) (clause: string) (e: Expr) (target: Expression) (whenNull: int64) =
    let r = EmitExpr.emit ctx Map.empty e
    block (
        r.Code
        @ [ Expression.Assign(target, unlessNull r.Slot.IsNull (Expression.Constant(whenNull)) r.Slot.Value)
            Expression.IfThen(
                Expression.LessThan(target, Expression.Constant(0L)),
                Expression.Call(method<RuntimeErrors> "ThrowNegativeLimit" [ typeof<string> ], Expression.Constant(clause))
            ) ]
    )

let produce (ctx: EmitContext) (produceChild: Produce) (count: Expr option) (offset: Expr option) (input: PhysicalPlan) (consume: Consume) =
    let skipped = ctx.NewCounter()
    let emitted = ctx.NewCounter()
    let limit = ctx.NewCounter()
    let skip = ctx.NewCounter()
    let started = ctx.NewFlag()
    let done' = ctx.Label("limit_done")
    let initialise =
        Expression.IfThen(
            Expression.Not(started),
            block
                [ Expression.Assign(started, trueExpr)
                  (match count with Some c -> evaluateInto ctx "LIMIT" c limit System.Int64.MaxValue | None -> Expression.Assign(limit, Expression.Constant(System.Int64.MaxValue)))
                  (match offset with Some o -> evaluateInto ctx "OFFSET" o skip 0L | None -> Expression.Assign(skip, Expression.Constant(0L))) ]
        )
    let reached = Expression.GreaterThanOrEqual(emitted, limit)
    let onRow env : Expression =
        Expression.IfThenElse(
            Expression.LessThan(skipped, skip),
            increment skipped,
            block [ Expression.IfThen(reached, Expression.Goto(done')); increment emitted; consume env ]
        )
    block [ initialise :> Expression; Expression.IfThen(reached, Expression.Goto(done')) :> Expression; produceChild input onRow; Expression.Label(done') :> Expression ]
