/// The produce/consume protocol of data-centric code generation: an operator's emitter generates the
/// code that produces its rows and, for each row, splices in the code its parent wants to run on it
/// (`consume`). A pipeline from a scan up to a breaker thus becomes one loop with no call between
/// operators.
module Foundry.Compiler.CodeGen.Produce

open System.Linq.Expressions
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Compiler.Physical.PhysicalPlan

/// Code to run on one row, given the row's column values.
type Consume = Env -> Expression

/// Generates the code producing a plan's rows, calling back for child plans.
type Produce = PhysicalPlan -> Consume -> Expression
