/// Evaluates column-free expressions at compile time with exactly the semantics compiled code has
/// (three-valued logic, checked integer and REAL arithmetic, ordinal text comparison). An expression whose
/// evaluation would raise an error (overflow, division by zero) is not evaluated: it is left for run
/// time, so the error is raised only if the row that needs it is reached.
module Foundry.Compiler.Binding.ConstantEvaluator

open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Binding.BoundTree
open Foundry.Runtime

let private compareValues a b =
    match a, b with
    | VInteger x, VInteger y -> Some(compare x y)
    | VReal x, VReal y -> Some(if x < y then -1 elif x > y then 1 else 0)
    | VText x, VText y -> Some(Arithmetic.CompareText(x, y))
    | VBoolean x, VBoolean y -> Some(compare x y)
    | _ -> None

let private arithmetic op a b =
    try
        match op, a, b with
        | Add, VInteger x, VInteger y -> Some(VInteger(Checked.(+) x y))
        | Subtract, VInteger x, VInteger y -> Some(VInteger(Checked.(-) x y))
        | Multiply, VInteger x, VInteger y -> Some(VInteger(Checked.(*) x y))
        | Divide, VInteger x, VInteger y -> Some(VInteger(Arithmetic.Divide(x, y)))
        | Modulo, VInteger x, VInteger y -> Some(VInteger(Arithmetic.Remainder(x, y)))
        | Add, VReal x, VReal y -> Some(VReal(Arithmetic.Add(x, y)))
        | Subtract, VReal x, VReal y -> Some(VReal(Arithmetic.Subtract(x, y)))
        | Multiply, VReal x, VReal y -> Some(VReal(Arithmetic.Multiply(x, y)))
        | Divide, VReal x, VReal y -> Some(VReal(Arithmetic.Divide(x, y)))
        | Modulo, VReal x, VReal y -> Some(VReal(Arithmetic.Remainder(x, y)))
        | Concat, VText x, VText y -> Some(VText(x + y))
        | _ -> None
    with
    | :? System.OverflowException
    | :? FoundryRuntimeException -> None

let private castValue value target =
    match value, target with
    | VNull, _ -> Some VNull
    | VInteger i, SqlType.Real -> Some(VReal(float i))
    | VReal r, SqlType.Integer when not (System.Double.IsNaN r) && r >= -9.2233720368547758e18 && r < 9.2233720368547758e18 -> Some(VInteger(int64 r))
    | VBoolean b, SqlType.Integer -> Some(VInteger(if b then 1L else 0L))
    | VBoolean b, SqlType.Real -> Some(VReal(if b then 1.0 else 0.0))
    | VInteger i, SqlType.Boolean -> Some(VBoolean(i <> 0L))
    | v, SqlType.Text ->
        match v with
        | VInteger i -> Some(VText(string i))
        | VReal r -> Some(VText(Conversions.ToText r))
        | VBoolean b -> Some(VText(if b then "true" else "false"))
        | VText s -> Some(VText s)
        | VNull -> Some VNull
    | v, t when Value.typeOf v = t -> Some v
    | _ -> None

/// AND (isAnd) or OR over operand values, left to right: the deciding value (FALSE for AND, TRUE for
/// OR) decides even when other operands cannot be evaluated now; otherwise any unknown operand makes
/// the result unknown, any NULL makes it NULL.
let private logical (isAnd: bool) (operands: Value option seq) : Value option =
    let decider = VBoolean(not isAnd)
    let mutable decided = false
    let mutable unknown = false
    let mutable sawNull = false
    for v in operands do
        match v with
        | Some x when x = decider -> decided <- true
        | Some VNull -> sawNull <- true
        | Some _ -> ()
        | None -> unknown <- true
    if decided then Some decider
    elif unknown then None
    elif sawNull then Some VNull
    else Some(VBoolean isAnd)

/// A strict binary operation on two values: NULL if either is NULL.
let private strict op x y =
    match x, y with
    | VNull, _
    | _, VNull -> Some VNull
    | _ ->
        match op with
        | Equal -> compareValues x y |> Option.map (fun c -> VBoolean(c = 0))
        | NotEqual -> compareValues x y |> Option.map (fun c -> VBoolean(c <> 0))
        | Less -> compareValues x y |> Option.map (fun c -> VBoolean(c < 0))
        | LessOrEqual -> compareValues x y |> Option.map (fun c -> VBoolean(c <= 0))
        | Greater -> compareValues x y |> Option.map (fun c -> VBoolean(c > 0))
        | GreaterOrEqual -> compareValues x y |> Option.map (fun c -> VBoolean(c >= 0))
        | _ -> arithmetic op x y

/// The value of a column-free expression, or None when it cannot (or must not) be computed now.
let rec evaluate (e: Expr) : Value option =
    StackGuard.ensure e.Span
    match e.Kind with
    | Constant v -> Some v
    | ColumnRef _
    | Parameter _
    | Subquery _
    | Function _
    | Like _ -> None
    | IsDistinctFrom(a, b, negated) ->
        match evaluate a, evaluate b with
        | Some x, Some y ->
            let same = (x = VNull && y = VNull) || (x <> VNull && y <> VNull && compareValues x y = Some 0)
            Some(VBoolean(same = negated))
        | _ -> None
    | Case(whens, otherwise) ->
        // The first WHEN that is TRUE decides; stop at one that cannot be evaluated now.
        let rec pick whens =
            match whens with
            | [] -> evaluate otherwise
            | (condition, result) :: rest ->
                match evaluate condition with
                | Some(VBoolean true) -> evaluate result
                | Some _ -> pick rest
                | None -> None
        pick whens
    | Cast(x, t) -> evaluate x |> Option.bind (fun v -> castValue v t)
    | IsNull(x, negated) -> evaluate x |> Option.map (fun v -> VBoolean((v = VNull) <> negated))
    | Unary(Not, x) ->
        evaluate x
        |> Option.map (function
            | VBoolean b -> VBoolean(not b)
            | _ -> VNull)
    | Unary(Negate, x) ->
        match evaluate x with
        | Some VNull -> Some VNull
        | Some(VInteger i) when i <> System.Int64.MinValue -> Some(VInteger(-i))
        | Some(VReal r) -> Some(VReal(-r))
        | _ -> None
    | LogicalChain(isAnd, operands) -> logical isAnd (operands |> Seq.map evaluate)
    | Chain(first, steps) ->
        // Left to right, as the left-deep tree it stands for; every operand must be known.
        let operands = steps |> List.map (fun (op, x) -> op, evaluate x)
        if operands |> List.exists (fun (_, v) -> v.IsNone) then None
        else
            operands
            |> List.fold (fun acc (op, v) -> acc |> Option.bind (fun a -> strict op a v.Value)) (evaluate first)
    | Binary(op, a, b) ->
        match evaluate a, evaluate b with
        | Some x, Some y -> strict op x y
        | _ -> None
    | InSet(x, values, hasNull, negated) ->
        match evaluate x with
        | Some VNull -> Some VNull
        | Some v ->
            let found = values |> Array.exists (fun c -> compareValues v c = Some 0)
            if found then Some(VBoolean(not negated))
            elif hasNull then Some VNull
            else Some(VBoolean negated)
        | None -> None

/// CASE arms with a constant condition: a FALSE or NULL one can never be taken and goes; a TRUE one
/// is always taken, so it becomes the ELSE and every arm after it goes (COALESCE(x, 52, y) never
/// reaches y). A CASE left with no arm is its ELSE, span and all: a subquery's GROUP BY identity is
/// the text of its span (ExprBinder.structuralKeyWith), which the CASE's would change.
let private simplifyCase (e: Expr) (whens: (Expr * Expr) list) (otherwise: Expr) : Expr =
    let rec keep arms =
        match arms with
        | [] -> [], None
        | (condition: Expr, result) :: rest ->
            match condition.Kind with
            | Constant(VBoolean true) -> [], Some result
            | Constant(VBoolean false | VNull) -> keep rest
            | _ ->
                let kept, final = keep rest
                (condition, result) :: kept, final
    let kept, final = keep whens
    let otherwise = defaultArg final otherwise
    match kept with
    | [] -> otherwise
    | _ when kept.Length = whens.Length && final.IsNone -> e
    | _ -> { e with Kind = Case(kept, otherwise) }

/// An AND (isAnd) or OR chain without its neutral operands (TRUE for AND, FALSE for OR); the other
/// constants stay, since evaluate found the chain not computable now.
let private dropNeutral (e: Expr) (isAnd: bool) (operands: Expr list) : Expr =
    let neutral = VBoolean isAnd
    let kept = operands |> List.filter (fun x -> x.Kind <> Constant neutral)
    match kept with
    | _ when kept.Length = operands.Length -> e
    | [] -> { e with Kind = Constant neutral; Nullable = false }
    | [ one ] -> one
    | first :: rest -> { e with Kind = Chain(first, rest |> List.map (fun x -> (if isAnd then And else Or), x)) }

/// Folds bottom-up every subexpression that can be computed now (see FoldConstants), and drops the
/// neutral operand of AND/OR, which three-valued logic allows exactly (x AND TRUE is x).
let rec fold (e: Expr) : Expr =
    StackGuard.ensure e.Span
    match e.Kind with
    | Constant _
    | ColumnRef _
    | Parameter _ -> e
    | _ ->
        let folded =
            match Expr.children e with
            | [] -> e
            | xs -> Expr.withChildren e (xs |> List.map fold)
        match evaluate folded with
        | Some v -> { Kind = Constant v; Type = e.Type; Nullable = (v = VNull); Span = e.Span }
        | None ->
            match folded.Kind with
            | Case(whens, otherwise) -> simplifyCase folded whens otherwise
            | LogicalChain(isAnd, operands) -> dropNeutral folded isAnd operands
            | _ -> folded
