/// Keeps docs/sql-subset.md's BNF in step with grammar/FoundrySql.g4: every parser rule of the grammar
/// is defined in the page, and every nonterminal the page defines is a parser rule of the grammar.
///
/// The page's convention: a nonterminal is defined by a line `name ::= ...` that starts at column 1
/// inside a fenced ```bnf block; continuation lines are indented. Lexical rules (IDENTIFIER,
/// INTEGER_LITERAL, ...) are uppercase in the grammar and are described in prose, not checked here.
module Foundry.Compiler.Tests.GrammarDocTests

open System
open System.IO
open System.Text.RegularExpressions
open Xunit

/// The repository root: the nearest folder above the test binary holding FoundryCompiler.sln.
let private repositoryRoot () =
    let rec up (dir: DirectoryInfo) =
        match dir with
        | null -> failwithf "no folder above the test binary (%s) holds FoundryCompiler.sln" AppContext.BaseDirectory
        | d when File.Exists(Path.Combine(d.FullName, "FoundryCompiler.sln")) -> d.FullName
        | d -> up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// The text with `//` line comments and `/* */` block comments blanked out. String literals of the
/// grammar ('...') are kept intact, so a `'//'` token would not start a comment.
let private stripComments (text: string) =
    Regex.Replace(text, @"'(?:\\.|[^'\\])*'|//[^\n]*|/\*[\s\S]*?\*/", fun m -> if m.Value.StartsWith "'" then m.Value else " ")

/// Parser rule names of an ANTLR grammar: a lowercase-initial identifier at the start of a line whose
/// next non-blank character (possibly on a later line) is the rule's ':'. `grammar X;`, `options {`
/// and `fragment NAME :` do not match.
let grammarRules (grammar: string) : Set<string> =
    Regex.Matches(stripComments grammar, @"^([a-z][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)
    |> Seq.map (fun m -> m.Groups[1].Value)
    |> Set.ofSeq

/// Nonterminal definitions in the ```bnf blocks of a Markdown page (lines `name ::= ...`), in order.
let private definitions (markdown: string) : string list =
    let mutable inBnf = false
    [ for line in markdown.Replace("\r\n", "\n").Split('\n') do
          if line.StartsWith "```" then inBnf <- (not inBnf && line.Trim() = "```bnf")
          elif inBnf then
              let m = Regex.Match(line, @"^([A-Za-z][A-Za-z0-9_]*)\s+::=")
              if m.Success then yield m.Groups[1].Value ]

/// Nonterminals defined in the ```bnf blocks of a Markdown page.
let documentedRules (markdown: string) : Set<string> = Set.ofList (definitions markdown)

/// Nonterminals the page defines more than once.
let private duplicates (markdown: string) =
    definitions markdown |> List.countBy id |> List.filter (fun (_, n) -> n > 1) |> List.map fst

[<Fact>]
let ``the rule extractors read the conventions they document`` () =
    let grammar =
        "grammar G;\noptions { caseInsensitive = true; }\n// comment: notARule : x ;\nscript\n    : a EOF\n    ;\n/* blockRule : x ; */\nexpr: b ;\nfragment DIGIT : [0-9] ;\nIDENTIFIER : [a-z]+ ;\nquoted : '//' x ;\n"
    Assert.Equal<Set<string>>(set [ "script"; "expr"; "quoted" ], grammarRules grammar)
    let markdown =
        "text\nnotRule ::= x\n```bnf\nscript ::= a\n    | b      ::= not a definition\nexpr   ::= c\n```\n```\nplain ::= x\n```\n"
    Assert.Equal<Set<string>>(set [ "script"; "expr" ], documentedRules markdown)

[<Fact>]
let ``docs/sql-subset.md defines exactly the parser rules of grammar/FoundrySql.g4`` () =
    let root = repositoryRoot ()
    let grammarPath = Path.Combine(root, "grammar", "FoundrySql.g4")
    let docPath = Path.Combine(root, "docs", "sql-subset.md")
    let grammar = grammarRules (File.ReadAllText grammarPath)
    let doc = File.ReadAllText docPath
    let documented = documentedRules doc
    Assert.True(grammar.Count > 0, sprintf "no parser rules found in %s" grammarPath)
    let undocumented = Set.difference grammar documented
    let unknown = Set.difference documented grammar
    let repeated = duplicates doc
    let problems =
        [ if not undocumented.IsEmpty then
              yield
                  sprintf
                      "grammar rules missing from %s (add a `name ::= ...` line in a ```bnf block): %s"
                      docPath
                      (String.Join(", ", undocumented))
          if not unknown.IsEmpty then
              yield sprintf "nonterminals in %s that are not parser rules of %s (renamed or removed?): %s" docPath grammarPath (String.Join(", ", unknown))
          if not repeated.IsEmpty then
              yield sprintf "nonterminals defined more than once in %s: %s" docPath (String.Join(", ", repeated)) ]
    Assert.True(problems.IsEmpty, String.Join("\n", problems))
