/// The differential tests' model of a database and of a query: plain F# values that render to one
/// SQL text run unchanged on SQLite and on Foundry. Everything here stays inside the subset where
/// the two engines mean the same thing (see Generators.fs for what that rules out and why).
module Foundry.Differential.Tests.Model

open System
open System.Globalization

/// The static type of a column or expression. BOOLEAN is never a column or an output value: SQLite
/// has no booleans (it answers 0/1), so conditions appear only where a condition is expected.
type Ty =
    | TInt
    | TReal
    | TText

type Value =
    | VNull
    | VInt of int64
    | VReal of float
    | VText of string

type Column = { Name: string; Ty: Ty; Pk: bool }

type Table =
    { Name: string
      Columns: Column list
      Rows: Value list list
      /// Secondary indexes, each its column names in key order (created after the rows are loaded).
      Indexes: string list list }

type CmpOp =
    | Eq
    | Ne
    | Lt
    | Le
    | Gt
    | Ge

type ArOp =
    | Add
    | Sub
    | Mul

type AggFn =
    | Count
    | Sum
    | Avg
    | Min
    | Max

type SetOp =
    | Union
    | UnionAll
    | Intersect
    | Except

type JoinKind =
    | Inner
    | LeftOuter
    | Cross
    /// `FROM a, b` with the join's equality ANDed into WHERE.
    | Comma

type Expr =
    | Col of alias: string * name: string * ty: Ty
    /// A literal; VNull carries the type the context expects.
    | Lit of Value * Ty
    | Arith of ArOp * Expr * Expr
    | Neg of Expr
    | Concat of Expr * Expr
    | Case of (Pred * Expr) list * Expr option
    /// ABS, LENGTH, UPPER, LOWER, COALESCE, with the result type.
    | Fn of string * Expr list * Ty
    /// COUNT(*) is `Agg(Count, false, None)`.
    | Agg of AggFn * distinct: bool * Expr option
    /// A scalar subquery: one aggregate item and no GROUP BY, so exactly one row.
    | Scalar of Select

and Pred =
    | Cmp of CmpOp * Expr * Expr
    | And of Pred * Pred
    | Or of Pred * Pred
    | Not of Pred
    | IsNull of Expr * negated: bool
    | Between of Expr * Expr * Expr * negated: bool
    | InList of Expr * Expr list * negated: bool
    | InSub of Expr * Select * negated: bool
    | Exists of Select * negated: bool
    /// `1 = 1`: what a condition shrinks to.
    | AlwaysTrue

and Join =
    { Kind: JoinKind
      Table: string
      Alias: string
      On: Pred option }

and Select =
    { Distinct: bool
      From: string * string
      Joins: Join list
      Where: Pred option
      GroupBy: Expr list
      Items: Expr list
      Having: Pred option }

type OrderItem = { Position: int; Desc: bool; Nulls: bool option }

type Query =
    { First: Select
      Rest: (SetOp * Select) list
      OrderBy: OrderItem list
      /// LIMIT n [OFFSET m]; only ever together with an ORDER BY over every output column.
      Limit: (int * int option) option }

/// One generated test case: a schema with its rows and some queries over it.
type Case = { Tables: Table list; Queries: Query list }

// ---------------------------------------------------------------------------------------------
// Types

let isNumeric t = t = TInt || t = TReal

let unify a b = if a = TReal || b = TReal then TReal else a

let rec typeOf (e: Expr) : Ty =
    match e with
    | Col(_, _, t) -> t
    | Lit(_, t) -> t
    | Arith(_, a, b) -> unify (typeOf a) (typeOf b)
    | Neg a -> typeOf a
    | Concat _ -> TText
    | Case(arms, els) ->
        let tys = (arms |> List.map (snd >> typeOf)) @ (els |> Option.map typeOf |> Option.toList)
        List.reduce unify tys
    | Fn(_, _, t) -> t
    | Agg(Count, _, _) -> TInt
    | Agg(Avg, _, _) -> TReal
    | Agg(_, _, Some a) -> typeOf a
    | Agg(_, _, None) -> TInt
    | Scalar s -> typeOf s.Items.Head

let rec hasAggregate (e: Expr) =
    match e with
    | Agg _ -> true
    | Col _
    | Lit _
    | Scalar _ -> false
    | Arith(_, a, b)
    | Concat(a, b) -> hasAggregate a || hasAggregate b
    | Neg a -> hasAggregate a
    | Fn(_, args, _) -> List.exists hasAggregate args
    | Case(arms, els) ->
        arms |> List.exists (fun (p, v) -> predHasAggregate p || hasAggregate v)
        || (els |> Option.exists hasAggregate)

and predHasAggregate (p: Pred) =
    match p with
    | Cmp(_, a, b) -> hasAggregate a || hasAggregate b
    | And(a, b)
    | Or(a, b) -> predHasAggregate a || predHasAggregate b
    | Not a -> predHasAggregate a
    | IsNull(a, _) -> hasAggregate a
    | Between(a, b, c, _) -> hasAggregate a || hasAggregate b || hasAggregate c
    | InList(a, xs, _) -> hasAggregate a || List.exists hasAggregate xs
    | InSub(a, _, _) -> hasAggregate a
    | Exists _
    | AlwaysTrue -> false

let isGrouped (s: Select) =
    not s.GroupBy.IsEmpty || List.exists hasAggregate s.Items

/// In a grouped select, an item or HAVING expression may use a column only inside an aggregate or
/// as (part of) a GROUP BY expression. The shrinker uses this to keep its candidates valid SQL.
let rec groupedValid (keys: Expr list) (e: Expr) =
    if List.contains e keys then
        true
    else
        match e with
        | Agg _
        | Lit _ -> true
        | Col _
        | Scalar _ -> false
        | Arith(_, a, b)
        | Concat(a, b) -> groupedValid keys a && groupedValid keys b
        | Neg a -> groupedValid keys a
        | Fn(_, args, _) -> List.forall (groupedValid keys) args
        | Case(arms, els) ->
            arms |> List.forall (fun (p, v) -> groupedPredValid keys p && groupedValid keys v)
            && (els |> Option.forall (groupedValid keys))

and groupedPredValid keys (p: Pred) =
    match p with
    | Cmp(_, a, b) -> groupedValid keys a && groupedValid keys b
    | And(a, b)
    | Or(a, b) -> groupedPredValid keys a && groupedPredValid keys b
    | Not a -> groupedPredValid keys a
    | IsNull(a, _) -> groupedValid keys a
    | Between(a, b, c, _) -> groupedValid keys a && groupedValid keys b && groupedValid keys c
    | InList(a, xs, _) -> groupedValid keys a && List.forall (groupedValid keys) xs
    | InSub _
    | Exists _ -> false
    | AlwaysTrue -> true

/// Table names a select (and its subqueries) reads.
let rec selectTables (s: Select) : string list =
    let own = fst s.From :: (s.Joins |> List.map (fun j -> j.Table))
    let fromExprs =
        (s.Items @ s.GroupBy |> List.collect exprTables)
        @ (s.Where |> Option.map predTables |> Option.defaultValue [])
        @ (s.Having |> Option.map predTables |> Option.defaultValue [])
        @ (s.Joins |> List.collect (fun j -> j.On |> Option.map predTables |> Option.defaultValue []))
    own @ fromExprs

and exprTables (e: Expr) : string list =
    match e with
    | Col _
    | Lit _ -> []
    | Arith(_, a, b)
    | Concat(a, b) -> exprTables a @ exprTables b
    | Neg a -> exprTables a
    | Fn(_, args, _) -> List.collect exprTables args
    | Case(arms, els) ->
        (arms |> List.collect (fun (p, v) -> predTables p @ exprTables v))
        @ (els |> Option.map exprTables |> Option.defaultValue [])
    | Agg(_, _, a) -> a |> Option.map exprTables |> Option.defaultValue []
    | Scalar s -> selectTables s

and predTables (p: Pred) : string list =
    match p with
    | Cmp(_, a, b) -> exprTables a @ exprTables b
    | And(a, b)
    | Or(a, b) -> predTables a @ predTables b
    | Not a -> predTables a
    | IsNull(a, _) -> exprTables a
    | Between(a, b, c, _) -> exprTables a @ exprTables b @ exprTables c
    | InList(a, xs, _) -> exprTables a @ List.collect exprTables xs
    | InSub(a, s, _) -> exprTables a @ selectTables s
    | Exists(s, _) -> selectTables s
    | AlwaysTrue -> []

let queryTables (q: Query) =
    (q.First :: (q.Rest |> List.map snd)) |> List.collect selectTables |> List.distinct

// ---------------------------------------------------------------------------------------------
// Rendering: one SQL text for both engines.

let sqlType t =
    match t with
    | TInt -> "INTEGER"
    | TReal -> "REAL"
    | TText -> "TEXT"

let renderReal (r: float) =
    let t = r.ToString("R", CultureInfo.InvariantCulture)
    let t = if t.Contains "." || t.Contains "E" then t else t + ".0"
    if r < 0.0 || t.StartsWith "-" then "(" + t + ")" else t

let renderValue v =
    match v with
    | VNull -> "NULL"
    | VInt n when n < 0L -> sprintf "(%d)" n
    | VInt n -> string n
    | VReal r -> renderReal r
    | VText s -> "'" + s.Replace("'", "''") + "'"

let private cmpText op =
    match op with
    | Eq -> "="
    | Ne -> "<>"
    | Lt -> "<"
    | Le -> "<="
    | Gt -> ">"
    | Ge -> ">="

let private arText op =
    match op with
    | Add -> "+"
    | Sub -> "-"
    | Mul -> "*"

let private aggText f =
    match f with
    | Count -> "COUNT"
    | Sum -> "SUM"
    | Avg -> "AVG"
    | Min -> "MIN"
    | Max -> "MAX"

let setOpText op =
    match op with
    | Union -> "UNION"
    | UnionAll -> "UNION ALL"
    | Intersect -> "INTERSECT"
    | Except -> "EXCEPT"

let rec renderExpr (e: Expr) : string =
    match e with
    | Col(a, c, _) -> a + "." + c
    | Lit(v, _) -> renderValue v
    | Arith(op, a, b) -> sprintf "(%s %s %s)" (renderExpr a) (arText op) (renderExpr b)
    | Neg a -> sprintf "(- %s)" (renderExpr a)
    | Concat(a, b) -> sprintf "(%s || %s)" (renderExpr a) (renderExpr b)
    | Case(arms, els) ->
        let arms = arms |> List.map (fun (p, v) -> sprintf "WHEN %s THEN %s" (renderPred p) (renderExpr v))
        let els = els |> Option.map (fun e -> " ELSE " + renderExpr e) |> Option.defaultValue ""
        sprintf "CASE %s%s END" (String.concat " " arms) els
    | Fn(name, args, _) -> sprintf "%s(%s)" name (args |> List.map renderExpr |> String.concat ", ")
    | Agg(Count, _, None) -> "COUNT(*)"
    | Agg(f, d, Some a) -> sprintf "%s(%s%s)" (aggText f) (if d then "DISTINCT " else "") (renderExpr a)
    | Agg(f, _, None) -> aggText f + "(*)"
    | Scalar s -> "(" + renderSelect s + ")"

and renderPred (p: Pred) : string =
    let neg n = if n then "NOT " else ""
    match p with
    | Cmp(op, a, b) -> sprintf "%s %s %s" (renderExpr a) (cmpText op) (renderExpr b)
    | And(a, b) -> sprintf "(%s AND %s)" (renderPred a) (renderPred b)
    | Or(a, b) -> sprintf "(%s OR %s)" (renderPred a) (renderPred b)
    | Not a -> sprintf "NOT (%s)" (renderPred a)
    | IsNull(a, n) -> sprintf "%s IS %sNULL" (renderExpr a) (neg n)
    | Between(a, lo, hi, n) -> sprintf "%s %sBETWEEN %s AND %s" (renderExpr a) (neg n) (renderExpr lo) (renderExpr hi)
    | InList(a, xs, n) -> sprintf "%s %sIN (%s)" (renderExpr a) (neg n) (xs |> List.map renderExpr |> String.concat ", ")
    | InSub(a, s, n) -> sprintf "%s %sIN (%s)" (renderExpr a) (neg n) (renderSelect s)
    | Exists(s, n) -> sprintf "%sEXISTS (%s)" (neg n) (renderSelect s)
    | AlwaysTrue -> "1 = 1"

and renderSelect (s: Select) : string =
    let b = Text.StringBuilder()
    b.Append("SELECT ") |> ignore
    if s.Distinct then b.Append("DISTINCT ") |> ignore
    b.Append(s.Items |> List.map renderExpr |> String.concat ", ") |> ignore
    b.Append(sprintf " FROM %s %s" (fst s.From) (snd s.From)) |> ignore
    for j in s.Joins do
        match j.Kind with
        | Comma -> b.Append(sprintf ", %s %s" j.Table j.Alias) |> ignore
        | Cross -> b.Append(sprintf " CROSS JOIN %s %s" j.Table j.Alias) |> ignore
        | Inner
        | LeftOuter ->
            let kw = if j.Kind = Inner then "JOIN" else "LEFT JOIN"
            let on = j.On |> Option.defaultValue AlwaysTrue
            b.Append(sprintf " %s %s %s ON %s" kw j.Table j.Alias (renderPred on)) |> ignore
    s.Where |> Option.iter (fun p -> b.Append(" WHERE " + renderPred p) |> ignore)
    if not s.GroupBy.IsEmpty then
        b.Append(" GROUP BY " + (s.GroupBy |> List.map renderExpr |> String.concat ", ")) |> ignore
    s.Having |> Option.iter (fun p -> b.Append(" HAVING " + renderPred p) |> ignore)
    b.ToString()

let renderQuery (q: Query) : string =
    let b = Text.StringBuilder(renderSelect q.First)
    for op, s in q.Rest do
        b.Append(" " + setOpText op + " " + renderSelect s) |> ignore
    if not q.OrderBy.IsEmpty then
        let item (o: OrderItem) =
            sprintf
                "%d%s%s"
                o.Position
                (if o.Desc then " DESC" else "")
                (match o.Nulls with
                 | Some true -> " NULLS FIRST"
                 | Some false -> " NULLS LAST"
                 | None -> "")
        b.Append(" ORDER BY " + (q.OrderBy |> List.map item |> String.concat ", ")) |> ignore
    match q.Limit with
    | Some(n, Some off) -> b.Append(sprintf " LIMIT %d OFFSET %d" n off) |> ignore
    | Some(n, None) -> b.Append(sprintf " LIMIT %d" n) |> ignore
    | None -> ()
    b.ToString()

/// The name of the table's i-th secondary index.
let indexName (t: Table) (i: int) = sprintf "%s_ix%d" t.Name i

/// CREATE TABLE, INSERT and CREATE INDEX statements for the tables, one statement per line.
let renderSetup (tables: Table list) : string list =
    [ for t in tables do
          let cols =
              t.Columns
              |> List.map (fun c -> sprintf "%s %s%s" c.Name (sqlType c.Ty) (if c.Pk then " PRIMARY KEY" else ""))
              |> String.concat ", "
          yield sprintf "CREATE TABLE %s (%s);" t.Name cols
          if not t.Rows.IsEmpty then
              let rows =
                  t.Rows
                  |> List.map (fun r -> "(" + (r |> List.map renderValue |> String.concat ", ") + ")")
                  |> String.concat ", "
              yield sprintf "INSERT INTO %s VALUES %s;" t.Name rows
          for i, columns in List.indexed t.Indexes do
              yield sprintf "CREATE INDEX %s ON %s (%s);" (indexName t i) t.Name (String.concat ", " columns) ]

/// Whether the query's ORDER BY fixes the order of its rows: every output column is a sort key,
/// so rows that tie are equal in every column and their order cannot be told apart.
let orderIsTotal (q: Query) =
    let n = q.First.Items.Length
    let covered = q.OrderBy |> List.map (fun o -> o.Position) |> set
    n > 0 && Set.isSubset (set [ 1..n ]) covered
