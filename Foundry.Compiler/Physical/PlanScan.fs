/// Access-path selection for a scan: which conjuncts of the scan's predicate the table's primary key
/// can answer by a B+Tree seek, and which remain to be tested per row.
///
/// A conjunct `k op c` (or `c op k`) where k is the leading primary-key column, c a non-NULL constant
/// of k's type and op one of = < <= > >= narrows the key range. The range is exact on the leading key
/// component (key components are self-delimiting in the key encoding), so those conjuncts are removed
/// from the residual; everything else stays.
module Foundry.Compiler.Physical.PlanScan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

type private Bound =
    | Lower of KeyBound
    | Upper of KeyBound
    | Point of Value

let private compareValues a b =
    match a, b with
    | VInteger x, VInteger y -> compare x y
    | VReal x, VReal y -> compare x y
    | VText x, VText y -> Arithmetic.CompareText(x, y)
    | VBoolean x, VBoolean y -> compare x y
    | _ -> 0

let private flip =
    function
    | Less -> Greater
    | LessOrEqual -> GreaterOrEqual
    | Greater -> Less
    | GreaterOrEqual -> LessOrEqual
    | op -> op

/// The bound a conjunct puts on column `key`, if it is of a shape the key range can express.
let private boundOf (key: Column) (conjunct: Expr) =
    let shape op (col: Expr) (value: Expr) =
        match col.Kind, value.Kind with
        | ColumnRef c, Constant v when c.Id = key.Id && v <> VNull && Value.typeOf v = key.Type ->
            match op with
            | Equal -> Some(Point v)
            | Less -> Some(Upper { Value = v; Inclusive = false })
            | LessOrEqual -> Some(Upper { Value = v; Inclusive = true })
            | Greater -> Some(Lower { Value = v; Inclusive = false })
            | GreaterOrEqual -> Some(Lower { Value = v; Inclusive = true })
            | _ -> None
        | _ -> None
    match conjunct.Kind with
    | Binary(op, a, b) ->
        match shape op a b with
        | Some bound -> Some bound
        | None -> shape (flip op) b a
    | _ -> None

let private tighterLower (a: KeyBound) (b: KeyBound) =
    let c = compareValues a.Value b.Value
    if c > 0 then a elif c < 0 then b else { a with Inclusive = a.Inclusive && b.Inclusive }

let private tighterUpper (a: KeyBound) (b: KeyBound) =
    let c = compareValues a.Value b.Value
    if c < 0 then a elif c > 0 then b else { a with Inclusive = a.Inclusive && b.Inclusive }

/// Chooses the access path for scanning `table` under `predicate`.
let plan (table: TableRef) (predicate: Expr option) : PhysicalPlan =
    let conjuncts = predicate |> Option.map Expr.conjuncts |> Option.defaultValue []
    let keyColumn =
        if table.Schema.HasRowId then None
        else Some table.Columns[table.Schema.PrimaryKey[0]]
    match keyColumn with
    | None -> TableScan(table, FullScan, predicate, "no primary key: full scan")
    | Some key ->
        let bounded, residual = conjuncts |> List.map (fun c -> c, boundOf key c) |> List.partition (snd >> Option.isSome)
        let lowers, uppers =
            bounded
            |> List.collect (fun (_, b) ->
                match b with
                | Some(Point v) -> [ Some { Value = v; Inclusive = true }, None; None, Some { Value = v; Inclusive = true } ]
                | Some(Lower l) -> [ Some l, None ]
                | Some(Upper u) -> [ None, Some u ]
                | None -> [])
            |> List.unzip
        let lower = lowers |> List.choose id |> List.fold (fun acc b -> Some(match acc with None -> b | Some a -> tighterLower a b)) None
        let upper = uppers |> List.choose id |> List.fold (fun acc b -> Some(match acc with None -> b | Some a -> tighterUpper a b)) None
        let residual = residual |> List.map fst |> Expr.conjoin
        match lower, upper with
        | None, None -> TableScan(table, FullScan, residual, sprintf "no usable predicate on primary key %s: full scan" key.Name)
        | _ ->
            let pointLookup =
                table.Schema.PrimaryKey.Count = 1
                && match lower, upper with
                   | Some l, Some u -> l.Inclusive && u.Inclusive && compareValues l.Value u.Value = 0
                   | _ -> false
            let reason =
                if pointLookup then sprintf "equality on primary key %s: key seek" key.Name
                else sprintf "bounds on primary key %s: range scan" key.Name
            TableScan(table, KeyRange(key, lower, upper), residual, reason)
