/// Relational algebra over bound expressions. Plans are immutable; rules return new plans.
/// Output columns are identified by id: a Project creates new columns, except that it may pass an
/// input column through unchanged under the same id (as the projection that drops hidden ORDER BY
/// columns does).
module Foundry.Compiler.Logical.LogicalPlan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

type LogicalPlan =
    /// Reads every row of a table; `Predicate` is a filter pushed into the scan.
    | Scan of table: TableRef * predicate: Expr option
    /// One row of no columns: the input of a SELECT without FROM.
    | SingleRow
    /// No rows, with the given columns (a filter that is never true).
    | Empty of columns: Column list
    /// Literal rows (VALUES, INSERT ... VALUES).
    | Values of rows: Expr list list * columns: Column list
    | Filter of predicate: Expr * input: LogicalPlan
    | Project of outputs: (Column * Expr) list * input: LogicalPlan
    /// Outputs left then right columns (Semi and Anti: left only). A Cross join has no condition.
    | Join of JoinKind * left: LogicalPlan * right: LogicalPlan * condition: Expr option
    /// Groups by the keys; outputs the key columns then the aggregate columns. No keys: one group,
    /// which exists even for empty input.
    | Aggregate of keys: (Column * Expr) list * aggregates: (Column * AggregateCall) list * input: LogicalPlan
    /// Removes duplicate rows (NULLs equal each other).
    | Distinct of input: LogicalPlan
    | Sort of keys: SortKey list * input: LogicalPlan
    | Limit of count: Expr option * offset: Expr option * input: LogicalPlan
    /// Both inputs have the output's column types, position by position.
    | SetOperation of SetOp * all: bool * left: LogicalPlan * right: LogicalPlan * columns: Column list
    /// WITH RECURSIVE: `base` rows, then `step` over the previous iteration's new rows (working table
    /// `id`), until an iteration adds none; UNION (not ALL) drops rows already produced.
    | RecursiveUnion of id: int * all: bool * baseInput: LogicalPlan * step: LogicalPlan * columns: Column list
    /// The rows of working table `id` (inside a RecursiveUnion's step).
    | WorkingTable of id: int * columns: Column list
    /// Inserts the input's rows (one value per table column, in ordinal order); produces no columns.
    | Insert of table: TableSchema * checks: RowChecks * input: LogicalPlan
    /// Rewrites the table's rows that the input produces (the input starts with the table's columns).
    | Update of table: TableRef * assignments: Assignment list * checks: RowChecks * input: LogicalPlan
    /// Deletes the table's rows that the input produces (the input starts with the table's columns).
    | Delete of table: TableRef * checks: RowChecks * input: LogicalPlan

/// The columns a plan produces, in order.
let rec outputColumns (plan: LogicalPlan) : Column list =
    match plan with
    | Scan(t, _) -> t.Columns
    | SingleRow -> []
    | Empty cols
    | Values(_, cols)
    | WorkingTable(_, cols)
    | RecursiveUnion(_, _, _, _, cols)
    | SetOperation(_, _, _, _, cols) -> cols
    | Filter(_, input)
    | Sort(_, input)
    | Distinct input
    | Limit(_, _, input) -> outputColumns input
    | Project(outputs, _) -> outputs |> List.map fst
    | Join((Semi | Anti), l, _, _) -> outputColumns l
    | Join(_, l, r, _) -> outputColumns l @ outputColumns r
    | Aggregate(keys, aggs, _) -> (keys |> List.map fst) @ (aggs |> List.map fst)
    | Insert(_, c, _)
    | Update(_, _, c, _)
    | Delete(_, c, _) -> c.Returning |> List.map fst

/// The direct inputs of a node.
let children (plan: LogicalPlan) =
    match plan with
    | Scan _
    | SingleRow
    | Empty _
    | WorkingTable _
    | Values _ -> []
    | Filter(_, i)
    | Project(_, i)
    | Aggregate(_, _, i)
    | Distinct i
    | Sort(_, i)
    | Limit(_, _, i)
    | Insert(_, _, i)
    | Update(_, _, _, i)
    | Delete(_, _, i) -> [ i ]
    | Join(_, l, r, _)
    | RecursiveUnion(_, _, l, r, _)
    | SetOperation(_, _, l, r, _) -> [ l; r ]

/// The node with its inputs replaced (in order).
let withChildren (plan: LogicalPlan) (inputs: LogicalPlan list) =
    match plan, inputs with
    | Filter(p, _), [ i ] -> Filter(p, i)
    | Project(o, _), [ i ] -> Project(o, i)
    | Aggregate(k, a, _), [ i ] -> Aggregate(k, a, i)
    | Distinct _, [ i ] -> Distinct i
    | Sort(k, _), [ i ] -> Sort(k, i)
    | Limit(c, o, _), [ i ] -> Limit(c, o, i)
    | Insert(t, c, _), [ i ] -> Insert(t, c, i)
    | Update(t, a, c, _), [ i ] -> Update(t, a, c, i)
    | Delete(t, c, _), [ i ] -> Delete(t, c, i)
    | Join(k, _, _, c), [ l; r ] -> Join(k, l, r, c)
    | SetOperation(op, all, _, _, cols), [ l; r ] -> SetOperation(op, all, l, r, cols)
    | RecursiveUnion(id, all, _, _, cols), [ l; r ] -> RecursiveUnion(id, all, l, r, cols)
    | leaf, [] -> leaf
    | _ -> invalidOp "Foundry bug: withChildren called with the wrong number of inputs"

/// The node with every expression it holds rewritten by `f` (children untouched).
let mapExpressions (f: Expr -> Expr) (plan: LogicalPlan) =
    match plan with
    | Scan(t, p) -> Scan(t, Option.map f p)
    | Values(rows, cols) -> Values(rows |> List.map (List.map f), cols)
    | Filter(p, i) -> Filter(f p, i)
    | Project(outputs, i) -> Project(outputs |> List.map (fun (c, e) -> c, f e), i)
    | Join(k, l, r, c) -> Join(k, l, r, Option.map f c)
    | Aggregate(keys, aggs, i) ->
        Aggregate(keys |> List.map (fun (c, e) -> c, f e), aggs |> List.map (fun (c, a) -> c, { a with Argument = Option.map f a.Argument }), i)
    | Sort(keys, i) -> Sort(keys |> List.map (fun k -> { k with Expr = f k.Expr }), i)
    | Limit(c, o, i) -> Limit(Option.map f c, Option.map f o, i)
    | Update(t, assignments, c, i) -> Update(t, assignments |> List.map (fun a -> { a with Value = f a.Value }), c, i)
    | SingleRow
    | Empty _
    | Distinct _
    | SetOperation _
    | RecursiveUnion _
    | WorkingTable _
    | Insert _
    | Delete _ -> plan

/// Every expression the node holds (not its children's).
let expressions (plan: LogicalPlan) : Expr list =
    match plan with
    | Scan(_, p) -> Option.toList p
    | Values(rows, _) -> List.concat rows
    | Filter(p, _) -> [ p ]
    | Project(outputs, _) -> outputs |> List.map snd
    | Join(_, _, _, c) -> Option.toList c
    | Aggregate(keys, aggs, _) -> (keys |> List.map snd) @ (aggs |> List.choose (fun (_, a) -> a.Argument))
    | Sort(keys, _) -> keys |> List.map (fun k -> k.Expr)
    | Limit(c, o, _) -> Option.toList c @ Option.toList o
    | Update(_, assignments, checks, _) -> (assignments |> List.map (fun a -> a.Value)) @ (checks.Conditions |> List.map snd) @ (checks.Returning |> List.map snd)
    | Insert(_, checks, _)
    | Delete(_, checks, _) -> (checks.Conditions |> List.map snd) @ (checks.Returning |> List.map snd)
    | SingleRow
    | Empty _
    | Distinct _
    | SetOperation _
    | RecursiveUnion _
    | WorkingTable _ -> []

/// Ids of every column the plan reads anywhere (inside subqueries too), plus the columns it returns
/// and those its breakers materialise; a scan needs to decode only these.
let neededColumns (plan: LogicalPlan) : Set<int> =
    let rec walk (p: LogicalPlan) =
        let own = expressions p |> List.collect ExprDeep.columns |> List.map (fun c -> c.Id)
        let passed =
            match p with
            | Insert(_, _, i)
            | Update(_, _, _, i) -> outputColumns i |> List.map (fun c -> c.Id)
            | Delete(_, c, i) -> if c.Returning.IsEmpty then [] else outputColumns i |> List.map (fun c -> c.Id)
            | Distinct i -> outputColumns i |> List.map (fun c -> c.Id)
            | SetOperation(_, _, l, r, _)
            | RecursiveUnion(_, _, l, r, _) -> outputColumns l @ outputColumns r |> List.map (fun c -> c.Id)
            | _ -> []
        own @ passed @ (children p |> List.collect walk)
    walk plan @ (outputColumns plan |> List.map (fun c -> c.Id)) |> Set.ofList
