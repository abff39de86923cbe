/// Row-count estimates for planning decisions. A table scan reads the rows ANALYZE last counted, or an
/// assumed 1,000 if it never ran; the rest are heuristics from a plan's shape: a point lookup on a key
/// returns one row, a filter keeps a tenth of its input. They only need to order choices sensibly (a
/// selective input before an unfiltered one, a small table before a large one), not to be accurate.
module Foundry.Compiler.Cost.Cardinality

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Logical.LogicalPlan

let private assumedTableRows = 1000.0
let private filterSelectivity = 0.1

/// The table's row count at its last ANALYZE, or the assumed 1,000.
let tableRows (t: TableRef) =
    if t.Schema.AnalyzedRows.HasValue then float t.Schema.AnalyzedRows.Value else assumedTableRows

/// True when the predicate fixes every column of the table's primary key with an equality.
let private pinsPrimaryKey (t: TableRef) (predicate: Expr) =
    let equalities =
        Expr.conjuncts predicate
        |> List.choose (fun c ->
            match c.Kind with
            | Binary(Equal, { Kind = ColumnRef col }, { Kind = Constant _ | Parameter _ })
            | Binary(Equal, { Kind = Constant _ | Parameter _ }, { Kind = ColumnRef col }) -> Some col.Id
            | _ -> None)
        |> Set.ofList
    not t.Schema.HasRowId && t.Schema.PrimaryKey |> Seq.forall (fun o -> equalities.Contains t.Columns[o].Id)

let rec estimate (plan: LogicalPlan) : float =
    match plan with
    | Scan(t, None) -> tableRows t
    | Scan(t, Some p) -> if pinsPrimaryKey t p then 1.0 else tableRows t * filterSelectivity
    | SingleRow -> 1.0
    | Empty _ -> 0.0
    | Values(rows, _) -> float rows.Length
    | Filter(_, i) -> estimate i * filterSelectivity
    | Project(_, i)
    | Sort(_, i)
    | Distinct i -> estimate i
    | Limit _ -> 100.0
    | Aggregate([], _, _) -> 1.0
    | Aggregate(_, _, i) -> max 1.0 (estimate i * filterSelectivity)
    | Join((Semi | Anti), l, _, _) -> estimate l
    | Join(_, l, r, None) -> estimate l * estimate r
    | Join(_, l, r, Some _) -> max (estimate l) (estimate r)
    | SetOperation(_, _, l, r, _) -> estimate l + estimate r
    | RecursiveUnion(_, _, l, _, _) -> estimate l * 10.0
    | WorkingTable _ -> 10.0
    | Insert _
    | Update _
    | Delete _ -> 0.0
