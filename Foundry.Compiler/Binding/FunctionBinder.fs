/// Built-in functions: which names exist, how many arguments they take, and their result types.
/// COALESCE, IFNULL and NULLIF are not functions at run time: they become the CASE they mean.
module Foundry.Compiler.Binding.FunctionBinder

open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

type FunctionKind =
    | ScalarKind of ScalarFunction
    | AggregateKind of AggregateFunction
    | Coalesce
    | NullIf

/// The function a name (case-insensitive) denotes, if any. COUNT(*) is resolved by the caller.
let lookup (name: string) : FunctionKind option =
    match name.ToUpperInvariant() with
    | "ABS" -> Some(ScalarKind Abs)
    | "LENGTH" | "CHAR_LENGTH" -> Some(ScalarKind Length)
    | "UPPER" -> Some(ScalarKind Upper)
    | "LOWER" -> Some(ScalarKind Lower)
    | "SUBSTR" | "SUBSTRING" -> Some(ScalarKind Substr)
    | "TRIM" | "BTRIM" -> Some(ScalarKind Trim)
    | "LTRIM" -> Some(ScalarKind LTrim)
    | "RTRIM" -> Some(ScalarKind RTrim)
    | "REPLACE" -> Some(ScalarKind Replace)
    | "ROUND" -> Some(ScalarKind Round)
    | "COUNT" -> Some(AggregateKind Count)
    | "SUM" -> Some(AggregateKind Sum)
    | "AVG" -> Some(AggregateKind Avg)
    | "MIN" -> Some(AggregateKind Min)
    | "MAX" -> Some(AggregateKind Max)
    | "TOTAL" -> Some(AggregateKind Total)
    | "COALESCE" | "IFNULL" -> Some Coalesce
    | "NULLIF" -> Some NullIf
    | _ -> None

/// Accepted argument counts, as text for messages, and the check.
let arity (f: ScalarFunction) =
    match f with
    | Abs | Length | Upper | Lower -> "1", (fun n -> n = 1)
    | Substr -> "2 or 3", (fun n -> n = 2 || n = 3)
    | Trim | LTrim | RTrim -> "1 or 2", (fun n -> n = 1 || n = 2)
    | Replace -> "3", (fun n -> n = 3)
    | Round -> "1 or 2", (fun n -> n = 1 || n = 2)

/// The argument types a scalar function expects (after implicit casts) and its result type, given the
/// argument types found; None when they do not fit.
let signature (f: ScalarFunction) (args: SqlType list) : (SqlType list * SqlType) option =
    let isText t = t = SqlType.Text || t = SqlType.Null
    let isInt t = t = SqlType.Integer || t = SqlType.Null
    let isNum t = t = SqlType.Integer || t = SqlType.Real || t = SqlType.Null
    match f, args with
    | Abs, [ t ] when isNum t -> let t = (if t = SqlType.Null then SqlType.Integer else t) in Some([ t ], t)
    | Length, [ t ] when isText t -> Some([ SqlType.Text ], SqlType.Integer)
    | (Upper | Lower), [ t ] when isText t -> Some([ SqlType.Text ], SqlType.Text)
    | Substr, [ s; a ] when isText s && isInt a -> Some([ SqlType.Text; SqlType.Integer ], SqlType.Text)
    | Substr, [ s; a; b ] when isText s && isInt a && isInt b -> Some([ SqlType.Text; SqlType.Integer; SqlType.Integer ], SqlType.Text)
    | (Trim | LTrim | RTrim), [ s ] when isText s -> Some([ SqlType.Text ], SqlType.Text)
    | (Trim | LTrim | RTrim), [ s; c ] when isText s && isText c -> Some([ SqlType.Text; SqlType.Text ], SqlType.Text)
    | Replace, [ a; b; c ] when isText a && isText b && isText c -> Some([ SqlType.Text; SqlType.Text; SqlType.Text ], SqlType.Text)
    | Round, [ t ] when isNum t -> Some([ SqlType.Real ], SqlType.Real)
    | Round, [ t; d ] when isNum t && isInt d -> Some([ SqlType.Real; SqlType.Integer ], SqlType.Real)
    | _ -> None

/// The result type of an aggregate over an argument of type `arg`; None when the type does not fit.
let aggregateType (f: AggregateFunction) (arg: SqlType) : SqlType option =
    match f with
    | CountStar
    | Count -> Some SqlType.Integer
    | Sum ->
        match arg with
        | SqlType.Integer | SqlType.Null -> Some SqlType.Integer
        | SqlType.Real -> Some SqlType.Real
        | _ -> None
    | Avg
    | Total ->
        match arg with
        | SqlType.Integer | SqlType.Real | SqlType.Null -> Some SqlType.Real
        | _ -> None
    | Min
    | Max -> Some(if arg = SqlType.Null then SqlType.Integer else arg)

let aggregateName (f: AggregateFunction) =
    match f with
    | CountStar
    | Count -> "count"
    | Sum -> "sum"
    | Avg -> "avg"
    | Min -> "min"
    | Max -> "max"
    | Total -> "total"

let scalarName (f: ScalarFunction) =
    match f with
    | Abs -> "abs"
    | Length -> "length"
    | Upper -> "upper"
    | Lower -> "lower"
    | Substr -> "substr"
    | Trim -> "trim"
    | LTrim -> "ltrim"
    | RTrim -> "rtrim"
    | Replace -> "replace"
    | Round -> "round"
