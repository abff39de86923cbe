/// The backstop of the nesting limit. The token pass (Syntax/InputLimits) refuses statements nested
/// deeper than InputLimits.maxDepth before any recursive pass runs, so a guard here fires only for a
/// shape that pass does not count (a long run of comparisons `a = b = c = ...`, which nests) or when
/// the thread's stack is smaller than the compiler expects. Every pass that recurses per level of
/// nesting calls `ensure` on entry, so running out of stack ends in FND0005 at the node being
/// processed, never in a StackOverflowException (which .NET cannot catch).
module Foundry.Compiler.Diagnostics.StackGuard

open System.Runtime.CompilerServices
open System.Runtime.ExceptionServices
open System.Threading

/// The depth limit FND0005 names (SQLite's SQLITE_MAX_EXPR_DEPTH).
let maxDepth = 1000

/// Fails with FND0005 at `span` when too little stack is left to go one level deeper.
let ensure (span: Span) =
    if not (RuntimeHelpers.TryEnsureSufficientExecutionStack()) then
        Diagnostic.fail [ Messages.tooDeeplyNested span maxDepth ]

/// Statements nested deeper than this compile on a thread of their own (see runWithStackFor).
let private deepThreshold = 64

/// The stack of that thread: enough for maxDepth levels of the deepest-recursing shape (nested scalar
/// subqueries, which every pass from parsing to code generation recurses through, measured at about
/// 40 KiB per level in a Debug build) with room to spare. It is reserved, not committed, so an unused
/// part costs address space only.
let private deepStackBytes = 256 * 1024 * 1024

/// Runs `f` on the calling thread when `depth` (the statement's nesting, from the token pass) is
/// small, and otherwise on a new thread with a large stack, so that depth maxDepth works whatever the
/// stack of the caller (1.5 MiB on a .NET worker thread, 8 MiB on a Linux main thread). Exceptions are
/// rethrown on the caller with their original stack trace.
let runWithStackFor (depth: int) (f: unit -> 'a) : 'a =
    if depth <= deepThreshold then f ()
    else
        let result = ref Unchecked.defaultof<'a>
        let failure: ExceptionDispatchInfo option ref = ref None
        let work () =
            try
                result.Value <- f ()
            with e ->
                failure.Value <- Some(ExceptionDispatchInfo.Capture e)
        let thread = Thread(ThreadStart work, deepStackBytes, Name = "Foundry deep statement", IsBackground = true)
        thread.Start()
        thread.Join()
        match failure.Value with
        | Some e ->
            e.Throw()
            Unchecked.defaultof<'a>
        | None -> result.Value
