/// Bound statement -> logical plan, in SQL's evaluation order: FROM (joins), WHERE, GROUP BY and
/// aggregates, HAVING, the select list (with hidden ORDER BY columns), DISTINCT, ORDER BY,
/// LIMIT/OFFSET, and a last projection that drops the hidden columns. The rules then move things to
/// where they run best.
module Foundry.Compiler.Logical.LogicalBuilder

open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding
open Foundry.Compiler.Logical.LogicalPlan
open Foundry.Runtime

/// Allocates columns the builder introduces (casts that align set-operation inputs).
type NewColumn = string -> SqlType -> bool -> Column

let private castExpr (c: Column) (target: SqlType) =
    let e = Expr.column c Span.None
    if c.Type = target || c.Type = SqlType.Null then { e with Type = target }
    else Expr.make (Cast(e, target)) target c.Nullable Span.None

/// Projects `plan` so that its columns have the given types (a no-op when they already do).
let private coerce (newColumn: NewColumn) (plan: LogicalPlan) (types: SqlType list) =
    let columns = outputColumns plan
    if List.forall2 (fun (c: Column) t -> c.Type = t) columns types then plan
    else Project(List.map2 (fun (c: Column) t -> (if c.Type = t then c, Expr.column c Span.None else newColumn c.Name t c.Nullable, castExpr c t)) columns types, plan)

let rec buildQuery (newColumn: NewColumn) (q: Query) : LogicalPlan =
    let body = buildBody newColumn q.Body
    let sorted = if q.OrderBy.IsEmpty then body else Sort(q.OrderBy, body)
    let limited =
        match q.Limit, q.Offset with
        | None, None -> sorted
        | count, offset -> Limit(count, offset, sorted)
    let produced = outputColumns limited
    if produced.Length = q.Columns.Length then limited
    else Project(q.Columns |> List.map (fun c -> c, Expr.column c Span.None), limited)

and buildBody (newColumn: NewColumn) (body: QueryBody) : LogicalPlan =
    match body with
    | SelectBody s -> buildSelect newColumn s
    | ValuesBody(rows, columns) -> if rows.IsEmpty then Empty columns else Values(rows, columns)
    | BoundTree.RecursiveUnion(id, all, baseBody, step, columns) ->
        let types = columns |> List.map (fun c -> c.Type)
        LogicalPlan.RecursiveUnion(id, all, coerce newColumn (buildBody newColumn baseBody) types, coerce newColumn (buildBody newColumn step) types, columns)
    | BoundTree.SetOperation(op, all, left, right, columns) ->
        let types = columns |> List.map (fun c -> c.Type)
        let l = coerce newColumn (buildBody newColumn left) types
        let r = coerce newColumn (buildBody newColumn right) types
        LogicalPlan.SetOperation(op, all, l, r, columns)

and buildSource (newColumn: NewColumn) (source: Source) : LogicalPlan =
    match source with
    | TableSource t -> Scan(t, None)
    | DerivedSource(q, _, _) -> buildQuery newColumn q
    | JoinSource(kind, l, r, condition) -> Join(kind, buildSource newColumn l, buildSource newColumn r, condition)
    | WorkingTableSource(id, _, columns) -> WorkingTable(id, columns)

and buildSelect (newColumn: NewColumn) (s: Select) : LogicalPlan =
    let source = s.From |> Option.map (buildSource newColumn) |> Option.defaultValue SingleRow
    let filtered = match s.Where with Some w -> Filter(w, source) | None -> source
    let grouped =
        match s.Grouping with
        | Some g -> Aggregate(g.Keys, g.Aggregates, filtered)
        | None -> filtered
    let having = match s.Having with Some h -> Filter(h, grouped) | None -> grouped
    let projected = Project(s.Output, having)
    if s.Distinct then Distinct projected else projected

let buildStatement (newColumn: NewColumn) (statement: Statement) : LogicalPlan =
    match statement with
    | Query q -> buildQuery newColumn q
    | BoundTree.Insert i -> LogicalPlan.Insert(i.Table, i.Checks, buildQuery newColumn i.Source)
    | BoundTree.Update u ->
        let source = buildSource newColumn u.Source
        LogicalPlan.Update(u.Table, u.Assignments, u.Checks, (match u.Where with Some w -> Filter(w, source) | None -> source))
    | BoundTree.Delete d ->
        let source = Scan(d.Table, None)
        LogicalPlan.Delete(d.Table, d.Checks, (match d.Where with Some w -> Filter(w, source) | None -> source))
    | _ -> invalidOp "Foundry bug: a schema or transaction statement has no plan"
