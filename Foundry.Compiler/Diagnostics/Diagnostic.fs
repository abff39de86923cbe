namespace Foundry.Compiler.Diagnostics

type Severity =
    | Error
    | Warning

/// A user-facing problem found while compiling SQL: a code (FND + four digits, grouped by phase:
/// 0xxx syntax, 1xxx binding, 2xxx planning, 5xxx runtime, 9xxx internal), a message, and where it is.
type Diagnostic =
    { Code: int
      Severity: Severity
      Message: string
      Span: Span
      Notes: string list }

    member this.CodeText = sprintf "FND%04d" this.Code

/// Raised when a phase cannot go on; carries every diagnostic found so far.
exception CompileError of Diagnostic list

module Diagnostic =
    let error code span message =
        { Code = code; Severity = Error; Message = message; Span = span; Notes = [] }

    let withNote note (d: Diagnostic) = { d with Notes = d.Notes @ [ note ] }

    /// Stops compilation with these diagnostics.
    let fail (ds: Diagnostic list) : 'a = raise (CompileError ds)

    let failOne code span message : 'a = fail [ error code span message ]
