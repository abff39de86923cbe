/// Relational algebra over bound expressions. Plans are immutable; rules return new plans.
module Foundry.Compiler.Logical.LogicalPlan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

type LogicalPlan =
    /// Reads every row of a table; `Predicate` is a filter pushed into the scan (rows failing it are dropped).
    | Scan of table: TableRef * predicate: Expr option
    /// One row of no columns: the input of a SELECT without FROM.
    | SingleRow
    /// No rows, with the given columns (a filter that is never true).
    | Empty of columns: Column list
    | Filter of predicate: Expr * input: LogicalPlan
    /// Computes new columns from the input's; each output column is a fresh column.
    | Project of outputs: (Column * Expr) list * input: LogicalPlan
    | Sort of keys: SortKey list * input: LogicalPlan
    | Limit of count: int64 option * offset: int64 * input: LogicalPlan
    /// Inserts rows (one expression per table column, in ordinal order); produces no columns.
    | Insert of table: TableSchema * rows: Expr list list

/// The columns a plan produces, in order.
let rec outputColumns (plan: LogicalPlan) : Column list =
    match plan with
    | Scan(t, _) -> t.Columns
    | SingleRow -> []
    | Empty cols -> cols
    | Filter(_, input)
    | Sort(_, input)
    | Limit(_, _, input) -> outputColumns input
    | Project(outputs, _) -> outputs |> List.map fst
    | Insert _ -> []

/// The direct inputs of a node.
let children (plan: LogicalPlan) =
    match plan with
    | Scan _
    | SingleRow
    | Empty _
    | Insert _ -> []
    | Filter(_, i)
    | Project(_, i)
    | Sort(_, i)
    | Limit(_, _, i) -> [ i ]

/// The node with its inputs replaced (in order).
let withChildren (plan: LogicalPlan) (inputs: LogicalPlan list) =
    match plan, inputs with
    | Filter(p, _), [ i ] -> Filter(p, i)
    | Project(o, _), [ i ] -> Project(o, i)
    | Sort(k, _), [ i ] -> Sort(k, i)
    | Limit(c, o, _), [ i ] -> Limit(c, o, i)
    | leaf, [] -> leaf
    | _ -> invalidOp "Foundry bug: withChildren called with the wrong number of inputs"

/// The node with every expression it holds rewritten by `f` (children untouched).
let mapExpressions (f: Expr -> Expr) (plan: LogicalPlan) =
    match plan with
    | Scan(t, p) -> Scan(t, Option.map f p)
    | SingleRow
    | Empty _ -> plan
    | Filter(p, i) -> Filter(f p, i)
    | Project(outputs, i) -> Project(outputs |> List.map (fun (c, e) -> c, f e), i)
    | Sort(keys, i) -> Sort(keys |> List.map (fun k -> { k with Expr = f k.Expr }), i)
    | Limit _ -> plan
    | Insert(t, rows) -> Insert(t, rows |> List.map (List.map f))
