/// Access-path selection for a scan: which conjuncts of the scan's predicate a B+Tree — the table's
/// own (clustered on the primary key) or one of its secondary indexes — can answer by seeking, and
/// which remain to be tested per row.
///
/// A conjunct `c op e` (or `e op c`) where c is the tree's leading key column, e a column-free
/// expression of c's type (a constant or a parameter) and op one of = < <= > >= bounds the range. The
/// range is exact on the leading key component (components are self-delimiting in the key encoding),
/// so the conjuncts used for the bounds leave the residual (except an upper bound alone on a nullable
/// column, which would let the NULL keys through); all others stay. Among the candidates the
/// cheapest by a fixed ranking wins (no statistics yet): a point lookup on a one-column primary key,
/// then a point lookup through a unique index, an index point lookup, a primary-key range, an index
/// range, a full scan; a covering index beats a non-covering one at the same rank.
module Foundry.Compiler.Physical.PlanScan

open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Physical.PhysicalPlan
open Foundry.Runtime

type private Bound =
    | Lower of KeyBound
    | Upper of KeyBound
    | Point of Expr

let private flip =
    function
    | Less -> Greater
    | LessOrEqual -> GreaterOrEqual
    | Greater -> Less
    | GreaterOrEqual -> LessOrEqual
    | op -> op

/// A column-free value a seek can use: a non-NULL constant or anything computed without columns.
let private seekable (key: Column) (value: Expr) =
    Expr.columns value |> List.isEmpty
    && not (Expr.containsSubquery value)
    && value.Type = key.Type
    && key.Type <> SqlType.Blob
    && (match value.Kind with Constant VNull -> false | _ -> true)

/// The bound a conjunct puts on column `key`, if it is of a shape a range can express.
let private boundOf (key: Column) (conjunct: Expr) =
    let shape op (col: Expr) (value: Expr) =
        match col.Kind with
        | ColumnRef c when c.Id = key.Id && seekable key value ->
            match op with
            | Equal -> Some(Point value)
            | Less -> Some(Upper { Value = value; Inclusive = false })
            | LessOrEqual -> Some(Upper { Value = value; Inclusive = true })
            | Greater -> Some(Lower { Value = value; Inclusive = false })
            | GreaterOrEqual -> Some(Lower { Value = value; Inclusive = true })
            | _ -> None
        | _ -> None
    match conjunct.Kind with
    | Binary(op, a, b) ->
        match shape op a b with
        | Some bound -> Some bound
        | None -> shape (flip op) b a
    | _ -> None

let private compareConstants (a: Expr) (b: Expr) =
    match a.Kind, b.Kind with
    | Constant(VInteger x), Constant(VInteger y) -> Some(compare x y)
    | Constant(VReal x), Constant(VReal y) -> Some(compare x y)
    | Constant(VText x), Constant(VText y) -> Some(Arithmetic.CompareText(x, y))
    | Constant(VBoolean x), Constant(VBoolean y) -> Some(compare x y)
    | _ -> None

/// The tighter of two bounds when both are constants (`preferGreater` for lower bounds); otherwise the first.
let private tighter preferGreater (a: KeyBound) (b: KeyBound) =
    match compareConstants a.Value b.Value with
    | Some c when c = 0 -> { a with Inclusive = a.Inclusive && b.Inclusive }
    | Some c -> if (c > 0) = preferGreater then a else b
    | None -> a

/// The range on `key` that the conjuncts give, with the conjuncts it consumed.
type private Range =
    { Lower: KeyBound option
      Upper: KeyBound option
      Point: bool
      Used: Expr list }

let private rangeOn (key: Column) (conjuncts: Expr list) : Range option =
    let bounds = conjuncts |> List.choose (fun c -> boundOf key c |> Option.map (fun b -> c, b))
    match bounds |> List.tryPick (function (c, Point v) -> Some(c, v) | _ -> None) with
    | Some(c, v) -> Some { Lower = Some { Value = v; Inclusive = true }; Upper = Some { Value = v; Inclusive = true }; Point = true; Used = [ c ] }
    | None ->
        // Constant bounds: the tightest one implies the others, so all of them are consumed. Otherwise
        // the first bound is used and the rest stay in the residual.
        let pick select preferGreater =
            let candidates = bounds |> List.choose (fun (c, b) -> select b |> Option.map (fun kb -> c, kb))
            let constants = candidates |> List.filter (fun (_, kb) -> match kb.Value.Kind with Constant _ -> true | _ -> false)
            match constants, candidates with
            | [], [] -> None
            | [], (c, kb) :: _ -> Some([ c ], kb)
            | (c0, k0) :: rest, _ -> Some(c0 :: List.map fst rest, rest |> List.fold (fun acc (_, kb) -> tighter preferGreater acc kb) k0)
        let lower = pick (function Lower b -> Some b | _ -> None) true
        let upper = pick (function Upper b -> Some b | _ -> None) false
        match lower, upper with
        | None, None -> None
        | _ ->
            Some
                { Lower = lower |> Option.map snd
                  Upper = upper |> Option.map snd
                  Point = false
                  Used = (lower |> Option.map fst |> Option.defaultValue []) @ (upper |> Option.map fst |> Option.defaultValue []) }

/// The conjuncts a range on `key` consumes. NULL keys sort before every value, so a range with an
/// upper bound and no lower bound starts at the NULL entries of a nullable column: its conjuncts
/// then stay in the residual too, where `c < 5` is not TRUE for a NULL c.
let private consumed (key: Column) (r: Range) =
    if r.Lower.IsNone && key.Nullable then [] else r.Used

/// Chooses the access path for scanning `table` under `predicate`; `needed` holds the ids of every
/// column the rest of the statement reads (to tell whether an index covers the query).
let plan (table: TableRef) (predicate: Expr option) (needed: Set<int>) : PhysicalPlan =
    let conjuncts = predicate |> Option.map Expr.conjuncts |> Option.defaultValue []
    let residualWithout (used: Expr list) = conjuncts |> List.filter (fun c -> not (used |> List.exists (fun u -> obj.ReferenceEquals(u, c)))) |> Expr.conjoin
    let schema = table.Schema
    let neededOrdinals =
        table.Columns |> List.indexed |> List.filter (fun (_, c) -> needed.Contains c.Id) |> List.map fst |> Set.ofList
    let primaryKeyOrdinals = schema.PrimaryKey |> Set.ofSeq
    let primary =
        if schema.HasRowId then []
        else
            let key = table.Columns[schema.PrimaryKey[0]]
            match rangeOn key conjuncts with
            | Some r ->
                let rank = if r.Point && schema.PrimaryKey.Count = 1 then 1 elif r.Point then 3 else 4
                let reason =
                    if r.Point && schema.PrimaryKey.Count = 1 then sprintf "equality on primary key %s: key seek" key.Name
                    else sprintf "bounds on primary key %s: range scan" key.Name
                [ (rank, 0), TableScan(table, KeyRange(key, r.Lower, r.Upper), residualWithout (consumed key r), reason) ]
            | None -> []
    let indexed =
        [ for index in schema.Indexes do
              let key = table.Columns[index.Columns[0]]
              match rangeOn key conjuncts with
              | Some r ->
                  let covering = Set.isSubset neededOrdinals (Set.union (Set.ofSeq index.Columns) primaryKeyOrdinals)
                  let rank = if r.Point && index.Unique && index.Columns.Count = 1 then 2 elif r.Point then 3 else 5
                  let how = if r.Point then "equality" else "bounds"
                  let reason = sprintf "%s on indexed column %s: index %s%s" how key.Name index.Name (if covering then ", covering (table not read)" else "")
                  yield (rank, (if covering then 0 else 1)), TableScan(table, IndexRange(index, key, r.Lower, r.Upper, covering), residualWithout (consumed key r), reason)
              | None -> () ]
    match primary @ indexed |> List.sortBy fst with
    | (_, best) :: _ -> best
    | [] ->
        let reason =
            if schema.HasRowId then "no usable predicate on a key or index: full scan"
            else sprintf "no usable predicate on primary key %s or an index: full scan" table.Columns[schema.PrimaryKey[0]].Name
        TableScan(table, FullScan, predicate, reason)
