/// SQL text to Ast. Runs the generated ANTLR lexer and parser with Foundry's own error listeners
/// and returns the first problem as a diagnostic (FND0001 syntax, FND0002 lexical, FND0004 empty).
module Foundry.Compiler.Syntax.Parser

open Antlr4.Runtime
open Foundry.Grammar
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax.SyntaxErrorListener

/// A token the lexer produces only for text that starts no valid token, with a note saying why.
let private lexicalProblem (token: IToken) =
    match token.Type with
    | FoundrySqlLexer.UNTERMINATED_STRING -> Some "the string literal has no closing quote (')"
    | FoundrySqlLexer.UNTERMINATED_QUOTED_IDENTIFIER -> Some "the quoted identifier has no closing quote (\")"
    | FoundrySqlLexer.UNTERMINATED_BLOCK_COMMENT -> Some "the comment has no closing */"
    | FoundrySqlLexer.INVALID_CHARACTER -> Some "this character cannot start a token"
    | _ -> None

let private lexicalError (source: SourceMap) (token: IToken) (note: string) =
    let text = token.Text
    let text = if text.Length > 20 then text.Substring(0, 17) + "..." else text
    Messages.invalidToken (source.TokenSpan token) text |> Diagnostic.withNote note

/// Parses statements separated by ';', and gives the script's deepest nesting (InputLimits). Errors:
/// FND0006 for text over the size limit (before lexing), FND0002 for text that starts no token,
/// FND0005 for nesting over the depth limit (before parsing), and the first syntax error as FND0001
/// with the offending token's span, its text quoted ('SELEC' or end of input) and the expected tokens.
let parseScriptWithDepth (text: string) : Result<Ast.Statement list * int, Diagnostic list> =
    let parse (source: SourceMap) (listener: FirstErrorListener) (tokens: CommonTokenStream) depth =
        let literalLists = ConstantLists.hideLiteralLists (tokens.GetTokens())
        // Two-stage parsing: the fast SLL prediction accepts almost every valid script; only when it
        // fails does the full LL parse run again, with the listener, so errors are those of LL.
        let parser = FoundrySqlParser tokens
        parser.RemoveErrorListeners()
        parser.Interpreter.PredictionMode <- Atn.PredictionMode.SLL
        parser.ErrorHandler <- BailErrorStrategy()
        let tree =
            try
                parser.script ()
            with :? Misc.ParseCanceledException ->
                tokens.Seek 0
                parser.Reset()
                parser.AddErrorListener listener
                parser.Interpreter.PredictionMode <- Atn.PredictionMode.LL
                parser.ErrorHandler <- DefaultErrorStrategy()
                parser.script ()
        match listener.First with
        | Some d -> Result.Error [ d ]
        | None ->
            try
                Ok(AstBuilder.script source (tokens.GetTokens()) literalLists tree, depth)
            with CompileError ds ->
                Result.Error ds
    let lexAndParse () =
        let source = SourceMap text
        let listener = FirstErrorListener source
        let lexer = FoundrySqlLexer(AntlrInputStream text)
        lexer.RemoveErrorListeners()
        lexer.AddErrorListener listener
        let tokens = CommonTokenStream lexer
        tokens.Fill()
        let badToken =
            tokens.GetTokens()
            |> Seq.tryPick (fun t -> lexicalProblem t |> Option.map (lexicalError source t))
        match badToken, listener.First with
        | Some d, _
        | None, Some d -> Result.Error [ d ]
        | None, None ->
            match InputLimits.checkDepth source (tokens.GetTokens()) with
            | Result.Error d -> Result.Error [ d ]
            | Ok depth -> StackGuard.runWithStackFor depth (fun () -> parse source listener tokens depth)
    match InputLimits.checkLength text with
    | Some d -> Result.Error [ d ]
    | None -> lexAndParse ()

/// Parses statements separated by ';' (see parseScriptWithDepth for the errors).
let parseScript (text: string) : Result<Ast.Statement list, Diagnostic list> =
    parseScriptWithDepth text |> Result.map fst

/// Exactly one statement (a trailing ';' is allowed) and its nesting depth; none or more than one is an error.
let parseStatementWithDepth (text: string) : Result<Ast.Statement * int, Diagnostic list> =
    match parseScriptWithDepth text with
    | Result.Error ds -> Result.Error ds
    | Ok([ statement ], depth) -> Ok(statement, depth)
    | Ok([], _) ->
        let source = SourceMap text
        Result.Error [ Messages.emptyStatement (source.Span(0, text.Length)) ]
    | Ok(_ :: second :: _, _) ->
        // Every statement starts with a keyword; point at it.
        let start = second.Span.Start.Offset
        let mutable stop = start
        while stop < text.Length && System.Char.IsLetter text[stop] do
            stop <- stop + 1
        let source = SourceMap text
        let error = Messages.syntaxError (source.Span(start, stop)) (sprintf "'%s'" (text.Substring(start, stop - start))) "end of input"
        Result.Error [ error |> Diagnostic.withNote "only one statement is allowed here" ]

/// Exactly one statement (a trailing ';' is allowed); none or more than one is an error.
let parseStatement (text: string) : Result<Ast.Statement, Diagnostic list> =
    parseStatementWithDepth text |> Result.map fst

/// For the shell: true when the text ends with a ';' that is outside string literals, quoted
/// identifiers and comments, with only whitespace or comments after it.
let isCompleteStatement (text: string) : bool =
    // A small scanner, not the lexer: it must answer for incomplete input without reporting errors.
    let n = text.Length
    let mutable i = 0
    let mutable lastSignificant = ' '
    let mutable unterminated = false
    while i < n do
        let c = text[i]
        let next = if i + 1 < n then text[i + 1] else '\000'
        if c = '-' && next = '-' then
            while i < n && text[i] <> '\n' do
                i <- i + 1
        elif c = '/' && next = '*' then
            let close = text.IndexOf("*/", i + 2, System.StringComparison.Ordinal)
            if close < 0 then
                unterminated <- true
                i <- n
            else i <- close + 2
        elif c = '\'' || c = '"' then
            // Doubled quotes inside are two adjacent literals to this scanner, which is equivalent.
            let close = text.IndexOf(c, i + 1)
            if close < 0 then
                unterminated <- true
                i <- n
            else
                lastSignificant <- c
                i <- close + 1
        else
            if not (System.Char.IsWhiteSpace c) then lastSignificant <- c
            i <- i + 1
    not unterminated && lastSignificant = ';'

/// Parses one expression (a DEFAULT or CHECK text from the catalog).
let parseExpression (text: string) : Result<Ast.Expr, Diagnostic list> =
    match parseStatement ("SELECT " + text) with
    | Ok { Kind = Ast.Select { Body = Ast.Specification { Items = [ Ast.ExprItem(e, None) ] } } } -> Ok e
    | Ok other -> Result.Error [ Messages.unsupportedSyntax other.Span (sprintf "the expression '%s'" text) ]
    | Result.Error ds -> Result.Error ds
