/// A fast path for long IN lists of plain literals (`x IN (1, 2, ..., 1000000)`, as ORMs and scripts
/// write them). ANTLR parses every list item through the whole expression grammar, about 10 µs an
/// item; a linear scan of the token stream finds such a list at about 50 ns an item. The scan moves
/// every item after the first, and the commas between them, to the hidden channel, so the parser
/// reads `x IN (first)`; AstBuilder then takes the items from the list this module returns, keyed by
/// the token index of the first item, and builds exactly the InList the grammar would have built.
///
/// Only lists that are nothing but unsigned literals (integer, real, string, TRUE, FALSE, NULL)
/// separated by commas, directly after `IN (`, are taken; anything else (a sign, a column, a
/// parameter, a missing comma) leaves the list to the parser, errors included.
module internal Foundry.Compiler.Syntax.ConstantLists

open System.Collections.Generic
open Antlr4.Runtime
open Foundry.Grammar

type private P = FoundrySqlParser

/// Lists shorter than this are left to the parser: the saving would not be measurable.
let private minimumItems = 16

let private isLiteral (t: int) =
    t = P.INTEGER_LITERAL || t = P.REAL_LITERAL || t = P.STRING_LITERAL || t = P.TRUE || t = P.FALSE || t = P.NULL

/// Finds the literal lists, hides their tail from the parser, and returns them: token index of the
/// first item -> every item token, in order.
let hideLiteralLists (tokens: IList<IToken>) : IReadOnlyDictionary<int, IToken[]> =
    let lists = Dictionary<int, IToken[]>()
    // The default-channel tokens, so that the scan needs no skipping of comments and whitespace.
    let visible = ResizeArray<IToken>(tokens.Count)
    for t in tokens do
        if t.Channel = TokenConstants.DefaultChannel then visible.Add t
    let mutable i = 0
    while i + 2 < visible.Count do
        if visible[i].Type = P.IN && visible[i + 1].Type = P.LPAREN && isLiteral visible[i + 2].Type then
            // item (COMMA item)* RPAREN
            let start = i + 2
            let mutable j = start + 1
            while j + 1 < visible.Count && visible[j].Type = P.COMMA && isLiteral visible[j + 1].Type do
                j <- j + 2
            let items = (j - start + 1) / 2
            if j < visible.Count && visible[j].Type = P.RPAREN && items >= minimumItems then
                lists[visible[start].TokenIndex] <- [| for k in start .. 2 .. j - 1 -> visible[k] |]
                for k in start + 1 .. j - 1 do
                    match visible[k] with
                    | :? IWritableToken as w -> w.Channel <- TokenConstants.HiddenChannel
                    | other -> invalidOp (sprintf "Foundry bug: token %d cannot be hidden" other.TokenIndex)
            i <- j
        else i <- i + 1
    lists :> IReadOnlyDictionary<int, IToken[]>
