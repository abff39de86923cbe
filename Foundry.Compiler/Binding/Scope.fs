/// Name resolution. A scope lists the columns a query level can see, each under the alias of the
/// source it came from; a subquery's scope has its enclosing query's as parent, so a name not found
/// locally resolves outward (a correlated reference).
module Foundry.Compiler.Binding.Scope

open System
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BindContext

type Entry =
    { Qualifier: string
      Column: Column
      /// False for the right-hand copy of a USING / NATURAL column: reachable qualified only.
      Unqualified: bool }

type Scope =
    { Entries: Entry list
      Parent: Scope option }

let empty = { Entries = []; Parent = None }

let child (parent: Scope) (entries: Entry list) = { Entries = entries; Parent = Some parent }

let private qualifierMatches (q: Ast.Identifier) (qualifier: string) =
    if q.Quoted then q.Name = qualifier else String.Equals(q.Name, qualifier, StringComparison.OrdinalIgnoreCase)

type Resolution =
    | Found of Column
    | Missing
    | Ambiguous of string list

/// Resolves [qualifier.]name in this scope only.
let private resolveLocal (scope: Scope) (qualifier: Ast.Identifier option) (name: Ast.Identifier) =
    let matches =
        scope.Entries
        |> List.filter (fun e ->
            nameEquals name e.Column.Name
            && match qualifier with
               | Some q -> qualifierMatches q e.Qualifier
               | None -> e.Unqualified)
        |> List.distinctBy (fun e -> e.Column.Id)
    match matches with
    | [ e ] -> Found e.Column
    | [] -> Missing
    | many -> Ambiguous(many |> List.map (fun e -> e.Qualifier))

/// Resolves a column reference, innermost scope first.
let rec resolve (scope: Scope) (qualifier: Ast.Identifier option) (name: Ast.Identifier) =
    match resolveLocal scope qualifier name with
    | Missing ->
        match scope.Parent with
        | Some p -> resolve p qualifier name
        | None -> Missing
    | r -> r

/// True when some source in this scope (or an enclosing one) has the alias.
let rec hasQualifier (scope: Scope) (q: Ast.Identifier) =
    scope.Entries |> List.exists (fun e -> qualifierMatches q e.Qualifier)
    || (scope.Parent |> Option.map (fun p -> hasQualifier p q) |> Option.defaultValue false)

/// The local columns, in order, for `*` (each USING column once) or for `alias.*`.
let starColumns (scope: Scope) (qualifier: Ast.Identifier option) =
    scope.Entries
    |> List.filter (fun e ->
        match qualifier with
        | Some q -> qualifierMatches q e.Qualifier
        | None -> e.Unqualified)
    |> List.map (fun e -> e.Column)
