/// Physical plans: which operator runs, which join algorithm, how each table is read.
module Foundry.Compiler.Physical.PhysicalPlan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

/// One end of a key range: a column-free expression (a constant or a parameter) evaluated once when
/// the scan starts; a NULL bound selects no rows.
type KeyBound = { Value: Expr; Inclusive: bool }

/// How a table is read.
type AccessPath =
    /// Every row in key order.
    | FullScan
    /// Rows whose leading primary-key column lies between the bounds, found by seeking the table's
    /// B+Tree to the lower bound and stopping after the upper one. Equal inclusive bounds on a
    /// one-column key are a point lookup (a key seek).
    | KeyRange of column: Column * lower: KeyBound option * upper: KeyBound option
    /// Rows whose index column (the index's leading column) lies between the bounds, found through
    /// the index's B+Tree; each entry gives the row's primary key. A covering index holds every column
    /// the query reads, so the table is not touched.
    | IndexRange of index: IndexSchema * column: Column * lower: KeyBound option * upper: KeyBound option * covering: bool

type PhysicalPlan =
    /// Reads a table by `Access`, keeping rows that satisfy `Residual` (the predicate conjuncts the
    /// access path does not already guarantee). `Reason` says why this access path was chosen.
    | TableScan of table: TableRef * access: AccessPath * residual: Expr option * reason: string
    | SingleRow
    | Empty of columns: Column list
    | Values of rows: Expr list list * columns: Column list
    | Filter of predicate: Expr * input: PhysicalPlan
    | Project of outputs: (Column * Expr) list * input: PhysicalPlan
    /// Builds a hash table on the right input's keys, then streams the left input probing it; `Residual`
    /// is tested on each key match. Inner, LeftOuter, FullOuter, Semi and Anti (RightOuter is planned
    /// as LeftOuter with the inputs swapped).
    | HashJoin of JoinKind * left: PhysicalPlan * right: PhysicalPlan * leftKeys: Expr list * rightKeys: Expr list * residual: Expr option
    /// Materialises the right input, then for each left row tests every right row.
    | NestedLoopJoin of JoinKind * left: PhysicalPlan * right: PhysicalPlan * condition: Expr option
    /// Pipeline breaker: one group per distinct key (all rows one group when there are no keys).
    | HashAggregate of keys: (Column * Expr) list * aggregates: (Column * AggregateCall) list * input: PhysicalPlan
    /// Streams rows, passing each distinct row on its first occurrence.
    | HashDistinct of input: PhysicalPlan
    /// Pipeline breaker: materialises its input, sorts it (stable), then emits.
    | Sort of keys: SortKey list * input: PhysicalPlan
    /// ORDER BY with a constant LIMIT: keeps only the best `count` rows (limit + offset) while reading.
    | TopN of count: int64 * keys: SortKey list * input: PhysicalPlan
    /// Pipeline breaker without reordering: reads its whole input before emitting the first row. Placed
    /// by the code generator where a pipeline cannot be suspended mid-row (a join's match loop under the
    /// statement's output) or must not see its own writes (INSERT ... SELECT from the same table).
    | Materialize of input: PhysicalPlan
    | Limit of count: Expr option * offset: Expr option * input: PhysicalPlan
    /// UNION ALL streams both inputs; the other forms use hash sets (see EmitSetOperation).
    | SetOperation of SetOp * all: bool * left: PhysicalPlan * right: PhysicalPlan * columns: Column list
    /// WITH RECURSIVE (see the logical RecursiveUnion): a breaker that iterates to a fixed point.
    | RecursiveUnion of id: int * all: bool * baseInput: PhysicalPlan * step: PhysicalPlan * columns: Column list
    | WorkingTable of id: int * columns: Column list
    | Insert of table: TableSchema * checks: RowChecks * input: PhysicalPlan
    | Update of table: TableRef * assignments: Assignment list * checks: RowChecks * input: PhysicalPlan
    | Delete of table: TableRef * checks: RowChecks * input: PhysicalPlan

let rec outputColumns (plan: PhysicalPlan) : Column list =
    match plan with
    | TableScan(t, _, _, _) -> t.Columns
    | SingleRow -> []
    | Empty cols
    | Values(_, cols)
    | WorkingTable(_, cols)
    | RecursiveUnion(_, _, _, _, cols)
    | SetOperation(_, _, _, _, cols) -> cols
    | Filter(_, i)
    | Sort(_, i)
    | TopN(_, _, i)
    | Materialize i
    | HashDistinct i
    | Limit(_, _, i) -> outputColumns i
    | Project(outputs, _) -> outputs |> List.map fst
    | HashJoin((Semi | Anti), l, _, _, _, _)
    | NestedLoopJoin((Semi | Anti), l, _, _) -> outputColumns l
    | HashJoin(_, l, r, _, _, _)
    | NestedLoopJoin(_, l, r, _) -> outputColumns l @ outputColumns r
    | HashAggregate(keys, aggs, _) -> (keys |> List.map fst) @ (aggs |> List.map fst)
    | Insert(_, c, _)
    | Update(_, _, c, _)
    | Delete(_, c, _) -> c.Returning |> List.map fst

let children (plan: PhysicalPlan) =
    match plan with
    | TableScan _
    | SingleRow
    | Empty _
    | WorkingTable _
    | Values _ -> []
    | Filter(_, i)
    | Project(_, i)
    | HashAggregate(_, _, i)
    | HashDistinct i
    | Sort(_, i)
    | TopN(_, _, i)
    | Materialize i
    | Limit(_, _, i)
    | Insert(_, _, i)
    | Update(_, _, _, i)
    | Delete(_, _, i) -> [ i ]
    | HashJoin(_, l, r, _, _, _)
    | NestedLoopJoin(_, l, r, _)
    | RecursiveUnion(_, _, l, r, _)
    | SetOperation(_, _, l, r, _) -> [ l; r ]

/// Every expression the node evaluates (not its children's).
let expressions (plan: PhysicalPlan) : Expr list =
    match plan with
    | TableScan(_, access, residual, _) ->
        let bounds (l: KeyBound option) (u: KeyBound option) = [ l; u ] |> List.choose (Option.map (fun b -> b.Value))
        let accessExprs =
            match access with
            | FullScan -> []
            | KeyRange(_, l, u)
            | IndexRange(_, _, l, u, _) -> bounds l u
        accessExprs @ Option.toList residual
    | Values(rows, _) -> List.concat rows
    | Filter(p, _) -> [ p ]
    | Project(outputs, _) -> outputs |> List.map snd
    | HashJoin(_, _, _, lk, rk, residual) -> lk @ rk @ Option.toList residual
    | NestedLoopJoin(_, _, _, condition) -> Option.toList condition
    | HashAggregate(keys, aggs, _) -> (keys |> List.map snd) @ (aggs |> List.choose (fun (_, a) -> a.Argument))
    | Sort(keys, _)
    | TopN(_, keys, _) -> keys |> List.map (fun k -> k.Expr)
    | Limit(c, o, _) -> Option.toList c @ Option.toList o
    | Update(_, assignments, checks, _) -> (assignments |> List.map (fun a -> a.Value)) @ (checks.Conditions |> List.map snd) @ (checks.Returning |> List.map snd)
    | Insert(_, checks, _)
    | Delete(_, checks, _) -> (checks.Conditions |> List.map snd) @ (checks.Returning |> List.map snd)
    | SingleRow
    | Empty _
    | HashDistinct _
    | Materialize _
    | SetOperation _
    | RecursiveUnion _
    | WorkingTable _ -> []

/// Ids of every column an expression in the plan reads, and every column a breaker materialises: the
/// columns the generated code decodes from a scan. It depends only on the plan's shape (a scan's
/// output columns are its table's whatever its access path), which is what lets the planner decide
/// whether an index covers a scan against it (PhysicalPlanner.plan).
let rec neededColumns (plan: PhysicalPlan) : Set<int> =
    let own = expressions plan |> List.collect ExprDeep.columns |> List.map (fun c -> c.Id) |> Set.ofList
    let below = children plan |> List.map neededColumns |> Set.unionMany
    let materialised =
        match plan with
        | Sort(_, input)
        | TopN(_, _, input)
        | Materialize input
        | HashDistinct input
        | Insert(_, _, input)
        | Update(_, _, _, input) -> outputColumns input |> List.map (fun c -> c.Id) |> Set.ofList
        // DELETE ... RETURNING reads the deleted rows' values.
        | Delete(_, checks, input) when not checks.Returning.IsEmpty -> outputColumns input |> List.map (fun c -> c.Id) |> Set.ofList
        | HashJoin(_, l, r, _, _, _)
        | NestedLoopJoin(_, l, r, _)
        | RecursiveUnion(_, _, l, r, _)
        | SetOperation(_, _, l, r, _) -> outputColumns l @ outputColumns r |> List.map (fun c -> c.Id) |> Set.ofList
        | _ -> Set.empty
    Set.unionMany [ own; below; materialised ]

/// The columns the code of a whole statement (or subquery) decodes: those it needs and those it returns.
let decodedColumns (plan: PhysicalPlan) : Set<int> =
    Set.union (neededColumns plan) (outputColumns plan |> List.map (fun c -> c.Id) |> Set.ofList)
