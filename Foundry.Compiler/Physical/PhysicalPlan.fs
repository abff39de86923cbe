/// Physical plans: which operator runs and how each table is read.
module Foundry.Compiler.Physical.PhysicalPlan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

type KeyBound = { Value: Value; Inclusive: bool }

/// How a table is read.
type AccessPath =
    /// Every row in key order.
    | FullScan
    /// Rows whose leading primary-key column lies between the bounds, found by seeking the table's
    /// B+Tree to the lower bound and stopping after the upper one. Equal inclusive bounds on a
    /// one-column key are a point lookup (a key seek).
    | KeyRange of column: Column * lower: KeyBound option * upper: KeyBound option

type PhysicalPlan =
    /// Reads a table by `Access`, keeping rows that satisfy `Residual` (the predicate conjuncts the
    /// access path does not already guarantee). `Reason` says why this access path was chosen.
    | TableScan of table: TableRef * access: AccessPath * residual: Expr option * reason: string
    | SingleRow
    | Empty of columns: Column list
    | Filter of predicate: Expr * input: PhysicalPlan
    | Project of outputs: (Column * Expr) list * input: PhysicalPlan
    /// Pipeline breaker: materialises its input, sorts it (stable; NULLs first ascending), then emits.
    | Sort of keys: SortKey list * input: PhysicalPlan
    | Limit of count: int64 option * offset: int64 * input: PhysicalPlan
    | Insert of table: TableSchema * rows: Expr list list

let rec outputColumns (plan: PhysicalPlan) : Column list =
    match plan with
    | TableScan(t, _, _, _) -> t.Columns
    | SingleRow -> []
    | Empty cols -> cols
    | Filter(_, i)
    | Sort(_, i)
    | Limit(_, _, i) -> outputColumns i
    | Project(outputs, _) -> outputs |> List.map fst
    | Insert _ -> []

let children (plan: PhysicalPlan) =
    match plan with
    | TableScan _
    | SingleRow
    | Empty _
    | Insert _ -> []
    | Filter(_, i)
    | Project(_, i)
    | Sort(_, i)
    | Limit(_, _, i) -> [ i ]

/// Every expression the node evaluates (not its children's).
let expressions (plan: PhysicalPlan) : Expr list =
    match plan with
    | TableScan(_, _, residual, _) -> Option.toList residual
    | Filter(p, _) -> [ p ]
    | Project(outputs, _) -> outputs |> List.map snd
    | Sort(keys, _) -> keys |> List.map (fun k -> k.Expr)
    | Insert(_, rows) -> List.concat rows
    | SingleRow
    | Empty _
    | Limit _ -> []
