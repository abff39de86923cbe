/// Scalar expressions -> expression-tree code. `emit` returns the statements that compute a value and
/// the Slot holding it. NULL follows three-valued logic; operands of a strict operator are computed
/// first and the operator itself runs only when neither is NULL, so a NULL operand never reaches a
/// helper that would fault on its placeholder value (1 / NULL is NULL, not a division by zero).
/// AND, OR and CASE evaluate only the operands that decide the result.
module Foundry.Compiler.CodeGen.EmitExpr

open System
open System.Linq.Expressions
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.CodeGen.CodeContext
open Foundry.Runtime

type Emitted = { Code: Expression list; Slot: Slot }

let private constantSlot (v: Value) (t: SqlType) =
    let clr = clrType t
    match v with
    | VNull -> { Value = Expression.Default(clr); IsNull = trueExpr }
    | VInteger i when t = SqlType.Real -> { Value = Expression.Constant(float i); IsNull = falseExpr }
    | VInteger i -> { Value = Expression.Constant(i); IsNull = falseExpr }
    | VReal r -> { Value = Expression.Constant(r); IsNull = falseExpr }
    | VText s -> { Value = Expression.Constant(s, typeof<string>); IsNull = falseExpr }
    | VBoolean b -> { Value = Expression.Constant(b); IsNull = falseExpr }

/// `a || b` on null flags, simplified when either is known false.
let orElse (a: Expression) (b: Expression) : Expression =
    if isConstFalse a then b
    elif isConstFalse b then a
    else Expression.OrElse(a, b)

let private compareText = method<Arithmetic> "CompareText" [ typeof<string>; typeof<string> ]

let private arithmetic (op: BinaryOp) (t: SqlType) (a: Expression) (b: Expression) : Expression =
    match op, t with
    | Add, SqlType.Integer -> Expression.AddChecked(a, b)
    | Subtract, SqlType.Integer -> Expression.SubtractChecked(a, b)
    | Multiply, SqlType.Integer -> Expression.MultiplyChecked(a, b)
    // REAL: overflow to infinity (and underflow to zero) is an error, as in PostgreSQL (Arithmetic).
    | Add, _ -> Expression.Call(method<Arithmetic> "Add" [ a.Type; b.Type ], a, b)
    | Subtract, _ -> Expression.Call(method<Arithmetic> "Subtract" [ a.Type; b.Type ], a, b)
    | Multiply, _ -> Expression.Call(method<Arithmetic> "Multiply" [ a.Type; b.Type ], a, b)
    | Divide, _ -> Expression.Call(method<Arithmetic> "Divide" [ a.Type; b.Type ], a, b)
    | Modulo, _ -> Expression.Call(method<Arithmetic> "Remainder" [ a.Type; b.Type ], a, b)
    | Concat, _ -> Expression.Call(method<Arithmetic> "Concat" [ typeof<string>; typeof<string> ], a, b)
    | _ -> invalidOp (sprintf "Foundry bug: %A is not arithmetic" op)

/// `a + b` of two non-NULL values of type `t`, failing on overflow (aggregates accumulate with it).
let add (t: SqlType) (a: Expression) (b: Expression) : Expression = arithmetic Add t a b

/// A comparison of two non-NULL values of the same CLR type.
let comparison (op: BinaryOp) (a: Expression) (b: Expression) : Expression =
    // Text compares by code point; booleans as 0/1; blobs bytewise; numbers natively.
    let a, b =
        if a.Type = typeof<string> then
            Expression.Call(compareText, a, b) :> Expression, Expression.Constant(0) :> Expression
        elif a.Type = typeof<byte[]> then
            Expression.Call(method<ColumnComparer> "CompareBlob" [ typeof<byte[]>; typeof<byte[]> ], a, b) :> Expression,
            Expression.Constant(0) :> Expression
        elif a.Type = typeof<bool> then
            Expression.Condition(a, Expression.Constant(1), Expression.Constant(0)) :> Expression,
            Expression.Condition(b, Expression.Constant(1), Expression.Constant(0)) :> Expression
        else a, b
    match op with
    | Equal -> Expression.Equal(a, b)
    | NotEqual -> Expression.NotEqual(a, b)
    | Less -> Expression.LessThan(a, b)
    | LessOrEqual -> Expression.LessThanOrEqual(a, b)
    | Greater -> Expression.GreaterThan(a, b)
    | GreaterOrEqual -> Expression.GreaterThanOrEqual(a, b)
    | _ -> invalidOp (sprintf "Foundry bug: %A is not a comparison" op)

/// The conversion of a non-NULL value to a target SQL type (the binder allowed it).
let private convert (value: Expression) (target: SqlType) : Expression =
    let conv name (t: Type) = Expression.Call(method<Conversions> name [ t ], value) :> Expression
    match value.Type, target with
    | t, _ when t = clrType target -> value
    | _, SqlType.Text -> conv "ToText" value.Type
    | t, SqlType.Real when t = typeof<int64> -> Expression.Convert(value, typeof<float>)
    | t, SqlType.Real -> conv "ToDouble" t
    | t, SqlType.Integer -> conv "ToInt64" t
    | t, SqlType.Boolean -> conv "ToBoolean" t
    | t, SqlType.Blob when t = typeof<string> -> conv "ToBlob" t
    | t, _ -> invalidOp (sprintf "Foundry bug: no conversion from %s to %A" t.Name target)

/// Stores a computed (value, isNull) into fresh locals, so the Slot is cheap to read repeatedly.
/// The value expression is evaluated only when isNull is false.
let materialise (ctx: EmitContext) (t: SqlType) (code: Expression list) (value: Expression) (isNull: Expression) hint =
    let v = ctx.Local(clrType t, hint)
    if isConstFalse isNull then
        { Code = code @ [ Expression.Assign(v, value) ]; Slot = { Value = v; IsNull = falseExpr } }
    else
        let n = ctx.Local(typeof<bool>, "n")
        { Code =
            code
            @ [ Expression.Assign(n, isNull)
                Expression.Assign(v, Expression.Condition(n, Expression.Default(v.Type), value)) ]
          Slot = { Value = v; IsNull = n } }

let private parameterReader (t: SqlType) =
    match t with
    | SqlType.Real -> "GetDouble"
    | SqlType.Text -> "GetText"
    | SqlType.Boolean -> "GetBoolean"
    | SqlType.Blob -> "GetBlob"
    | _ -> "GetInt64"

let private scalarCall (f: ScalarFunction) (args: Expression list) : Expression =
    let name =
        match f with
        | Abs -> "Abs"
        | Length -> "Length"
        | Upper -> "Upper"
        | Lower -> "Lower"
        | Substr -> "Substr"
        | Trim -> "Trim"
        | LTrim -> "LTrim"
        | RTrim -> "RTrim"
        | Replace -> "Replace"
        | Round -> "Round"
    Expression.Call(method<ScalarFunctions> name (args |> List.map (fun a -> a.Type)), args)

/// The hashed set of an InSet's constants, of the CLR type of `t`.
let private constantSet (t: SqlType) (values: Value[]) : ConstantSet =
    let pick (f: Value -> 'a option) = values |> Array.choose f
    match t with
    | SqlType.Integer -> ConstantSet<int64>(pick (function VInteger i -> Some i | _ -> None))
    | SqlType.Real ->
        ConstantSet<float>(pick (function
            | VReal r -> Some r
            | VInteger i -> Some(float i)
            | _ -> None))
    | SqlType.Text -> ConstantSet<string>(pick (function VText s -> Some s | _ -> None))
    | SqlType.Boolean -> ConstantSet<bool>(pick (function VBoolean b -> Some b | _ -> None))
    | _ -> invalidOp (sprintf "Foundry bug: an IN set of %A constants" t)

let rec emit (ctx: EmitContext) (env: Env) (e: Expr) : Emitted =
    StackGuard.ensure e.Span
    match e.Kind with
    | Constant v -> { Code = []; Slot = constantSlot v e.Type }
    | ColumnRef c ->
        match env.TryFind c.Id with
        | Some slot -> { Code = []; Slot = slot }
        | None ->
            match ctx.OuterEnv.TryFind c.Id with
            | Some slot -> { Code = []; Slot = slot }
            | None -> invalidOp (sprintf "Foundry bug: column %s#%d is not available to generated code" c.Name c.Id)
    | Parameter n ->
        let t = if e.Type = SqlType.Null then SqlType.Text else e.Type
        let index = Expression.Constant(n)
        let isNull = Expression.Call(method<Parameters> "IsNull" [ typeof<StatementContext>; typeof<int> ], ctx.Context, index)
        let value = Expression.Call(method<Parameters> (parameterReader t) [ typeof<StatementContext>; typeof<int> ], ctx.Context, index)
        materialise ctx t [] value isNull "param"
    | Cast(x, target) ->
        let inner = emit ctx env x
        materialise ctx target inner.Code (convert inner.Slot.Value target) inner.Slot.IsNull "cast"
    | IsNull(x, negated) ->
        let inner = emit ctx env x
        let test = if negated then Expression.Not(inner.Slot.IsNull) :> Expression else inner.Slot.IsNull
        materialise ctx SqlType.Boolean inner.Code test falseExpr "isnull"
    | IsDistinctFrom(a, b, negated) ->
        let l, r = emit ctx env a, emit ctx env b
        let bothNull = Expression.AndAlso(l.Slot.IsNull, r.Slot.IsNull)
        let bothEqual =
            Expression.AndAlso(
                Expression.AndAlso(Expression.Not(l.Slot.IsNull), Expression.Not(r.Slot.IsNull)),
                comparison Equal l.Slot.Value r.Slot.Value
            )
        let same = Expression.OrElse(bothNull, bothEqual) :> Expression
        materialise ctx SqlType.Boolean (l.Code @ r.Code) (if negated then same else Expression.Not(same)) falseExpr "distinct"
    | Unary(Not, x) ->
        let inner = emit ctx env x
        materialise ctx SqlType.Boolean inner.Code (Expression.Not(inner.Slot.Value)) inner.Slot.IsNull "not"
    | Unary(Negate, x) ->
        let inner = emit ctx env x
        let value =
            if e.Type = SqlType.Integer then Expression.Call(method<Arithmetic> "Negate" [ typeof<int64> ], inner.Slot.Value) :> Expression
            else Expression.Negate(inner.Slot.Value)
        materialise ctx e.Type inner.Code value inner.Slot.IsNull "neg"
    | LogicalChain(isAnd, operands) -> emitLogical ctx env isAnd operands
    | Chain(first, steps) -> emitArithmetic ctx env e.Type first steps
    | Binary(op, a, b) ->
        let left = emit ctx env a
        let right = emit ctx env b
        let value = comparison op left.Slot.Value right.Slot.Value
        materialise ctx e.Type (left.Code @ right.Code) value (orElse left.Slot.IsNull right.Slot.IsNull) "t"
    | InSet(x, values, hasNull, negated) ->
        let inner = emit ctx env x
        let set = constantSet x.Type values
        let contains = Expression.Call(Expression.Constant(set), set.GetType().GetMethod("Contains"), inner.Slot.Value)
        let found = ctx.Local(typeof<bool>, "found")
        let test = unlessNull inner.Slot.IsNull falseExpr contains
        let isNull = orElse inner.Slot.IsNull (if hasNull then Expression.Not(found) :> Expression else falseExpr)
        let value = if negated then Expression.Not(found) :> Expression else found :> Expression
        materialise ctx SqlType.Boolean (inner.Code @ [ Expression.Assign(found, test) ]) value isNull "in"
    | Case(whens, otherwise) ->
        let v = ctx.Local(clrType e.Type, "case")
        let n = ctx.Local(typeof<bool>, "n")
        let assign (r: Emitted) = block (r.Code @ [ Expression.Assign(v, r.Slot.Value); Expression.Assign(n, r.Slot.IsNull) ])
        let elseCode = assign (emit ctx env otherwise)
        let chain =
            List.foldBack
                (fun (condition, result) rest ->
                    let code, test = emitCondition ctx env condition
                    block (code @ [ Expression.IfThenElse(test, assign (emit ctx env result), rest) ]))
                whens
                elseCode
        { Code = [ chain ]; Slot = { Value = v; IsNull = n } }
    | Function(f, args) ->
        let emitted = args |> List.map (emit ctx env)
        let isNull = emitted |> List.fold (fun acc a -> orElse acc a.Slot.IsNull) falseExpr
        materialise ctx e.Type (emitted |> List.collect (fun a -> a.Code)) (scalarCall f (emitted |> List.map (fun a -> a.Slot.Value))) isNull "fn"
    | Like(x, pattern, escape, negated) ->
        let emitted = [ x; pattern ] @ Option.toList escape |> List.map (emit ctx env)
        let isNull = emitted |> List.fold (fun acc a -> orElse acc a.Slot.IsNull) falseExpr
        let values = emitted |> List.map (fun a -> a.Slot.Value)
        let call = Expression.Call(method<LikeMatcher> "Matches" (values |> List.map (fun v -> v.Type)), values) :> Expression
        materialise ctx SqlType.Boolean (emitted |> List.collect (fun a -> a.Code)) (if negated then Expression.Not(call) :> Expression else call) isNull "like"
    | Subquery(kind, q) ->
        let code, slot = ctx.EmitSubquery ctx env kind q
        { Code = code; Slot = slot }

/// An AND (isAnd) or OR chain with three-valued logic and short-circuit, as one flat block however
/// long the chain: each operand's code runs in turn, and the first operand with the deciding value
/// (FALSE for AND, TRUE for OR) jumps to the end; otherwise the result is the other value, or NULL
/// when some operand was NULL.
///
///     n = false; code1; if (decides1) goto decided; n = n || null1; ... v = !decider; goto done;
///     decided: v = decider; n = false; done:
and private emitLogical ctx env (isAnd: bool) (operands: Expr list) : Emitted =
    let decider = not isAnd // AND is decided by a FALSE operand, OR by a TRUE one
    let v = ctx.Local(typeof<bool>, (if isAnd then "and" else "or"))
    let n = ctx.Local(typeof<bool>, "n")
    let decided = ctx.Label "decided"
    let finished = ctx.Label "done"
    let decides (slot: Slot) =
        Expression.AndAlso(Expression.Not(slot.IsNull), Expression.Equal(slot.Value, Expression.Constant(decider)))
    let code = ResizeArray<Expression>()
    code.Add(Expression.Assign(n, falseExpr))
    for operand in operands do
        let r = emit ctx env operand
        code.AddRange r.Code
        code.Add(Expression.IfThen(decides r.Slot, Expression.Goto decided))
        if not (isConstFalse r.Slot.IsNull) then code.Add(Expression.Assign(n, Expression.OrElse(n, r.Slot.IsNull)))
    code.Add(Expression.Assign(v, Expression.Constant(not decider)))
    code.Add(Expression.Goto finished)
    code.Add(Expression.Label decided)
    code.Add(Expression.Assign(v, Expression.Constant(decider)))
    code.Add(Expression.Assign(n, falseExpr))
    code.Add(Expression.Label finished)
    { Code = [ Expression.Block(code) ]; Slot = { Value = v; IsNull = n } }

/// An arithmetic or || chain as a sequence of assignments to one accumulator, left to right: each
/// operand's code runs (so its errors are raised as in the tree it stands for), then the operator
/// applies unless the accumulator or the operand is NULL, which makes the rest NULL.
///
///     n = null0; v = n ? default : v0; code1; n = n || null1; v = n ? default : v op v1; ...
and private emitArithmetic ctx env (t: SqlType) (first: Expr) (steps: (BinaryOp * Expr) list) : Emitted =
    let head = emit ctx env first
    let v = ctx.Local(clrType t, "chain")
    let code = ResizeArray<Expression>(head.Code)
    let mutable isNull = falseExpr
    let addNull (operandNull: Expression) =
        if not (isConstFalse operandNull) then
            if isConstFalse isNull then
                let n = ctx.Local(typeof<bool>, "n")
                code.Add(Expression.Assign(n, operandNull))
                isNull <- n
            else code.Add(Expression.Assign(isNull, Expression.OrElse(isNull, operandNull)))
    addNull head.Slot.IsNull
    code.Add(Expression.Assign(v, unlessNull isNull (Expression.Default(v.Type)) head.Slot.Value))
    for op, operand in steps do
        let r = emit ctx env operand
        code.AddRange r.Code
        addNull r.Slot.IsNull
        code.Add(Expression.Assign(v, unlessNull isNull (Expression.Default(v.Type)) (arithmetic op t v r.Slot.Value)))
    { Code = List.ofSeq code; Slot = { Value = v; IsNull = isNull } }

/// Code that evaluates a condition, and a test that is true only when it is TRUE (not FALSE or NULL).
and emitCondition (ctx: EmitContext) (env: Env) (e: Expr) : Expression list * Expression =
    let r = emit ctx env e
    let test =
        if isConstFalse r.Slot.IsNull then r.Slot.Value
        else Expression.AndAlso(Expression.Not(r.Slot.IsNull), r.Slot.Value) :> Expression
    r.Code, test
