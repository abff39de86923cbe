/// Turns what the ANTLR lexer and parser report into Foundry diagnostics: source positions, the
/// offending token quoted, and the expected token set rendered for people. Internal to Syntax/.
module internal Foundry.Compiler.Syntax.SyntaxErrorListener

open System
open Antlr4.Runtime
open Antlr4.Runtime.Misc
open Foundry.Grammar
open Foundry.Compiler.Diagnostics

/// Maps 0-based UTF-16 offsets of one source text to 1-based line:column positions. A line ends
/// after '\n', so "\r\n" counts once; a tab is one column, as in ANTLR's own positions.
type SourceMap(text: string) =
    let lineStarts =
        let starts = ResizeArray [ 0 ]
        for i in 0 .. text.Length - 1 do
            if text[i] = '\n' then starts.Add(i + 1)
        starts.ToArray()

    member _.Text = text

    member _.Position(offset: int) : Position =
        let offset = max 0 (min offset text.Length)
        let found = Array.BinarySearch(lineStarts, offset)
        let line = if found >= 0 then found else ~~~found - 1
        { Line = line + 1; Column = offset - lineStarts[line] + 1; Offset = offset }

    /// The half-open span [startOffset, endOffset).
    member this.Span(startOffset: int, endOffset: int) : Span =
        { Start = this.Position startOffset; End = this.Position(max startOffset endOffset) }

    /// A token's span; end of input is an empty span at the end of the text.
    member this.TokenSpan(token: IToken) =
        if token.Type = TokenConstants.EOF then this.Span(text.Length, text.Length)
        else this.Span(token.StartIndex, token.StopIndex + 1)

/// How a token is named in "syntax error at ..." messages.
let describeToken (token: IToken) =
    if token.Type = TokenConstants.EOF then "end of input"
    else
        let text = token.Text
        let text = if text.Length > 30 then text.Substring(0, 27) + "..." else text
        sprintf "'%s'" text

/// Keywords the grammar also accepts as names (rule nonReservedKeyword).
let private nonReservedKeywords =
    [ FoundrySqlParser.ACTION; FoundrySqlParser.ADD; FoundrySqlParser.CASCADE; FoundrySqlParser.FIRST
      FoundrySqlParser.KEY; FoundrySqlParser.LAST; FoundrySqlParser.NO; FoundrySqlParser.NULLS
      FoundrySqlParser.RENAME; FoundrySqlParser.RESTRICT; FoundrySqlParser.TRANSACTION ]

let private identifierTokens =
    set ([ FoundrySqlParser.IDENTIFIER; FoundrySqlParser.QUOTED_IDENTIFIER ] @ nonReservedKeywords)

/// Tokens that can begin an expression; when most of them are expected we say "expression".
let private expressionStarters =
    identifierTokens
    + set [ FoundrySqlParser.INTEGER_LITERAL; FoundrySqlParser.REAL_LITERAL; FoundrySqlParser.STRING_LITERAL
            FoundrySqlParser.TRUE; FoundrySqlParser.FALSE; FoundrySqlParser.NULL; FoundrySqlParser.LPAREN
            FoundrySqlParser.PLUS; FoundrySqlParser.MINUS; FoundrySqlParser.NOT; FoundrySqlParser.QUESTION_MARK
            FoundrySqlParser.NUMBERED_PARAMETER; FoundrySqlParser.CASE; FoundrySqlParser.CAST
            FoundrySqlParser.EXISTS; FoundrySqlParser.LEFT; FoundrySqlParser.RIGHT ]

/// Tokens that can begin a statement; when they are expected we say "statement".
let private statementStarters =
    set [ FoundrySqlParser.CREATE; FoundrySqlParser.DROP; FoundrySqlParser.ALTER; FoundrySqlParser.INSERT
          FoundrySqlParser.UPDATE; FoundrySqlParser.DELETE; FoundrySqlParser.SELECT; FoundrySqlParser.WITH
          FoundrySqlParser.VALUES; FoundrySqlParser.BEGIN; FoundrySqlParser.COMMIT; FoundrySqlParser.END
          FoundrySqlParser.ROLLBACK; FoundrySqlParser.CHECKPOINT; FoundrySqlParser.ANALYZE; FoundrySqlParser.EXPLAIN ]

let private maxExpected = 8

let private tokenName (vocabulary: IVocabulary) (tokenType: int) =
    if tokenType = TokenConstants.EOF then "end of input"
    elif tokenType = FoundrySqlParser.INTEGER_LITERAL then "integer"
    elif tokenType = FoundrySqlParser.REAL_LITERAL then "number"
    elif tokenType = FoundrySqlParser.STRING_LITERAL then "string"
    elif tokenType = FoundrySqlParser.NUMBERED_PARAMETER then "parameter"
    else
        let literal = vocabulary.GetLiteralName tokenType
        let symbolic = vocabulary.GetSymbolicName tokenType
        match literal with
        | null -> if isNull symbolic then string tokenType else symbolic
        | l when l.Length > 2 && Char.IsLetter l[1] -> l.Trim('\'').ToUpperInvariant()
        | l -> l

/// "one of: FROM, WHERE, ';'" / "FROM" / "" from ANTLR's expected token set.
let renderExpected (vocabulary: IVocabulary) (expected: IntervalSet | null) =
    match expected with
    | null -> ""
    | expected when expected.IsNil -> ""
    | expected ->
        let types = expected.ToList() |> Seq.toList
        let hasExpression =
            types |> List.contains FoundrySqlParser.INTEGER_LITERAL && types |> List.contains FoundrySqlParser.IDENTIFIER
        let hasIdentifier = types |> List.contains FoundrySqlParser.IDENTIFIER
        let hasStatement =
            types |> List.contains FoundrySqlParser.CREATE && types |> List.contains FoundrySqlParser.INSERT
        let rest =
            types
            |> List.filter (fun t ->
                not (hasExpression && expressionStarters.Contains t)
                && not (hasIdentifier && identifierTokens.Contains t)
                && not (hasStatement && statementStarters.Contains t))
            |> List.sortBy (fun t -> if t = TokenConstants.EOF then Int32.MaxValue else t)
            |> List.map (tokenName vocabulary)
        let names =
            (if hasStatement then [ "statement" ] else [])
            @ (if hasExpression then [ "expression" ] elif hasIdentifier then [ "identifier" ] else [])
            @ rest
            |> List.distinct
        let shown =
            if names.Length > maxExpected then (List.take maxExpected names |> String.concat ", ") + ", ..."
            else String.concat ", " names
        match names with
        | [] -> ""
        | [ one ] -> one
        | _ -> "one of: " + shown

/// Keeps the first error the lexer or parser reports (later ones are usually consequences of it).
type FirstErrorListener(source: SourceMap) =
    let mutable first: Diagnostic option = None

    member _.First = first

    member private _.Record(d: Diagnostic) =
        if first.IsNone then first <- Some d

    interface IAntlrErrorListener<IToken> with
        member this.SyntaxError(_output, recognizer, offendingSymbol, _line, _column, _msg, e) =
            let expected =
                match recognizer, e with
                | _, (:? NoViableAltException | :? InputMismatchException | :? FailedPredicateException) ->
                    e.GetExpectedTokens()
                | (:? Parser as parser), _ -> parser.GetExpectedTokens()
                | _ -> null
            let expected: IntervalSet | null = expected
            let vocabulary = recognizer.Vocabulary
            let span = source.TokenSpan offendingSymbol
            this.Record(Messages.syntaxError span (describeToken offendingSymbol) (renderExpected vocabulary expected))

    interface IAntlrErrorListener<int> with
        member this.SyntaxError(_output, recognizer, _offendingSymbol, _line, _column, _msg, _e) =
            // The grammar's catch-all tokens make this rare; it is kept so no lexer error goes unseen.
            match recognizer with
            | :? Lexer as lexer ->
                let start = lexer.TokenStartCharIndex
                let stop = max (start + 1) lexer.InputStream.Index
                let stop = min stop source.Text.Length
                let text = if start < stop then source.Text.Substring(start, stop - start) else ""
                this.Record(Messages.invalidToken (source.Span(start, stop)) text)
            | _ -> this.Record(Messages.invalidToken (source.Span(0, 0)) "")
