namespace Foundry.Compiler.Diagnostics

/// A point in SQL source text. Line and Column are 1-based; Offset is the 0-based character index.
[<Struct>]
type Position = { Line: int; Column: int; Offset: int }

/// A half-open range [Start, End) of SQL source text. Every AST node carries one, and later trees keep
/// the span of the syntax they came from so that errors found in any phase point at the query.
type Span =
    { Start: Position
      End: Position }

    /// A span covering no text, for nodes the compiler synthesises.
    static member None = { Start = { Line = 0; Column = 0; Offset = 0 }; End = { Line = 0; Column = 0; Offset = 0 } }

    member this.IsNone = this.Start.Line = 0

    /// The smallest span covering both.
    static member Union(a: Span, b: Span) =
        if a.IsNone then b
        elif b.IsNone then a
        else
            { Start = (if a.Start.Offset <= b.Start.Offset then a.Start else b.Start)
              End = (if a.End.Offset >= b.End.Offset then a.End else b.End) }

    override this.ToString() = sprintf "%d:%d" this.Start.Line this.Start.Column
