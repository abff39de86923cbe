/// Cancellation points: every loop of a statement's function starts its iteration with
///
///     state.Interrupt.ThrowIfRequested();
///
/// so a statement asked to stop (Session.Cancel, a CancellationToken, the statement timeout) stops
/// at its next row, candidate or buffered row, whichever loop it is in: a scan, a join's match loop,
/// a buffer's emit loop, a subquery's loops. The check is one volatile read of an int and a branch
/// (inlined); docs/codegen.md gives its measured cost. A loop's body is the only place that runs
/// unboundedly often, so checking there bounds the time to stop by one iteration (plus a Runtime
/// call such as a sort, which polls on its own).
module Foundry.Compiler.CodeGen.InterruptChecks

open System.Linq.Expressions
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Runtime

type private LoopChecker(check: Expression) =
    inherit ExpressionVisitor()

    override this.VisitLoop(node) =
        let body = this.Visit node.Body
        Expression.Loop(Expression.Block(typeof<System.Void>, check, body), node.BreakLabel, node.ContinueLabel) :> Expression

/// `body` with the check at the top of every loop iteration.
let add (ctx: EmitContext) (body: Expression) : Expression =
    let check = Expression.Call(interrupt ctx, typeof<StatementInterrupt>.GetMethod(nameof Unchecked.defaultof<StatementInterrupt>.ThrowIfRequested))
    LoopChecker(check).Visit body
