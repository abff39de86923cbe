/// Renders diagnostics the way a compiler does:
///     query.sql:3:17: error FND1002: column "price" does not exist
///       3 | SELECT price FROM t
///         |        ^^^^^
module Foundry.Compiler.Diagnostics.DiagnosticRenderer

open System

let private severityText =
    function
    | Error -> "error"
    | Warning -> "warning"

/// One line: `source:line:column: error FNDnnnn: message` (the location is left out when unknown).
let headline (source: string) (d: Diagnostic) =
    let location =
        if d.Span.IsNone then (if source = "" then "" else source + ": ")
        else sprintf "%s%d:%d: " (if source = "" then "" else source + ":") d.Span.Start.Line d.Span.Start.Column
    sprintf "%s%s %s: %s" location (severityText d.Severity) d.CodeText d.Message

/// The headline, then the offending source line with carets under the span, then any notes.
let render (source: string) (text: string) (d: Diagnostic) =
    let lines = text.Replace("\r\n", "\n").Split('\n')
    let out = Text.StringBuilder()
    out.Append(headline source d) |> ignore
    if not d.Span.IsNone && d.Span.Start.Line >= 1 && d.Span.Start.Line <= lines.Length then
        let line = lines[d.Span.Start.Line - 1]
        let gutter = string d.Span.Start.Line
        let startCol = max 1 d.Span.Start.Column
        let width =
            if d.Span.End.Line = d.Span.Start.Line then max 1 (d.Span.End.Column - d.Span.Start.Column)
            else max 1 (line.Length - startCol + 1)
        out.Append('\n').Append(sprintf " %s | %s" gutter line) |> ignore
        out.Append('\n').Append(sprintf " %s | %s%s" (String(' ', gutter.Length)) (String(' ', startCol - 1)) (String('^', width))) |> ignore
    for note in d.Notes do
        out.Append('\n').Append("  note: ").Append(note) |> ignore
    out.ToString()
