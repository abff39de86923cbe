/// Limits checked before the parser runs, so that no input drives ANTLR's recursive descent (or any
/// later recursive pass) deeper than the compiler can go, and no text is lexed that is larger than a
/// statement may be.
///
/// Nesting depth, counted over the token stream in one linear pass, is the number of open
/// parentheses (every subquery and function call has them) plus open CASE ... END, plus the length of
/// the current run of prefix operators (NOT, unary - and +), each of which nests its operand one level
/// deeper. A statement whose depth passes StackGuard.maxDepth is refused with FND0005 at the token
/// where the limit is passed. Long flat chains (a OR b OR ..., 1 + 1 + ..., IN lists) do not nest and
/// are not limited by depth, only by the statement size.
module internal Foundry.Compiler.Syntax.InputLimits

open System.Collections.Generic
open Antlr4.Runtime
open Foundry.Grammar
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax.SyntaxErrorListener

type private P = FoundrySqlParser

/// The longest script text accepted, in UTF-16 characters (16 MiB): a 1,000,000-element IN list of
/// integers takes about 8 MiB.
let maxTextLength = 16 * 1024 * 1024

/// FND0006 when the text is longer than maxTextLength, pointing at the first character past the limit.
let checkLength (text: string) : Diagnostic option =
    if text.Length <= maxTextLength then None
    else
        let position: Position = { Line = 1; Column = 1; Offset = 0 }
        // Spans of oversized text are not mapped to lines: that would mean reading all of it.
        Some(Messages.statementTooLarge { Start = position; End = position } text.Length maxTextLength)

/// Tokens after which `+`, `-` and `NOT` are infix (a - b, a NOT IN ...), not a prefix operator.
let private operandEnds =
    HashSet<int>(
        [ P.INTEGER_LITERAL; P.REAL_LITERAL; P.STRING_LITERAL; P.IDENTIFIER; P.QUOTED_IDENTIFIER; P.RPAREN; P.END
          P.TRUE; P.FALSE; P.NULL; P.QUESTION_MARK; P.NUMBERED_PARAMETER; P.IS ]
    )

/// A level opened by `(` or `CASE`, with the run of prefix operators pending before it.
[<Struct>]
type private Frame = { Paren: bool; PendingRun: int }

/// The deepest nesting of the script's statements, or FND0005 at the token that passes the limit.
let checkDepth (source: SourceMap) (tokens: IList<IToken>) : Result<int, Diagnostic> =
    let frames = Stack<Frame>()
    let mutable depth = 0 // sum over frames of (PendingRun + 1)
    let mutable run = 0
    let mutable previous = -1
    let mutable deepest = 0
    let mutable error = None
    let mutable i = 0
    let pop () =
        let f = frames.Pop()
        depth <- depth - f.PendingRun - 1
        f
    while error.IsNone && i < tokens.Count do
        let token = tokens[i]
        i <- i + 1
        if token.Channel = TokenConstants.DefaultChannel then
            let t = token.Type
            match t with
            | P.SEMI ->
                frames.Clear()
                depth <- 0
                run <- 0
            | P.LPAREN
            | P.CASE ->
                frames.Push { Paren = (t = P.LPAREN); PendingRun = run }
                depth <- depth + run + 1
                run <- 0
            | P.RPAREN ->
                // An unbalanced ')' is left to the parser; a CASE left open inside the parentheses closes with them.
                while frames.Count > 0 && not (frames.Peek().Paren) do
                    pop () |> ignore
                if frames.Count > 0 then pop () |> ignore
                run <- 0
            | P.END when frames.Count > 0 && not (frames.Peek().Paren) ->
                pop () |> ignore
                run <- 0
            | P.NOT
            | P.PLUS
            | P.MINUS when not (operandEnds.Contains previous) -> run <- run + 1
            | _ -> run <- 0
            let level = depth + run
            if level > deepest then deepest <- level
            if level > StackGuard.maxDepth then error <- Some(Messages.tooDeeplyNested (source.TokenSpan token) StackGuard.maxDepth)
            previous <- t
    match error with
    | Some d -> Result.Error d
    | None -> Ok deepest
