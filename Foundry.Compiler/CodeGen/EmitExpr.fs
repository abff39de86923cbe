/// Scalar expressions -> expression-tree code. `emit` returns the statements that compute a value and
/// the Slot holding it. NULL follows three-valued logic; operands of a strict operator are computed
/// first and the operator itself runs only when neither is NULL, so a NULL operand never reaches a
/// helper that would fault on its placeholder value (1 / NULL is NULL, not a division by zero).
/// AND, OR evaluate their right side only when the left does not decide the result.
module Foundry.Compiler.CodeGen.EmitExpr

open System
open System.Linq.Expressions
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

let private isConstFalse (e: Expression) =
    match e with
    | :? ConstantExpression as c -> c.Value = box false
    | _ -> false

/// `a || b` on null flags, simplified when either is known false.
let orElse (a: Expression) (b: Expression) : Expression =
    if isConstFalse a then b
    elif isConstFalse b then a
    else Expression.OrElse(a, b)

let private compareText = method<Arithmetic> "CompareText" [ typeof<string>; typeof<string> ]
let private concatText = method<Arithmetic> "Concat" [ typeof<string>; typeof<string> ]

let private arithmetic (op: BinaryOp) (t: SqlType) (a: Expression) (b: Expression) : Expression =
    match op, t with
    | Add, SqlType.Integer -> Expression.AddChecked(a, b)
    | Subtract, SqlType.Integer -> Expression.SubtractChecked(a, b)
    | Multiply, SqlType.Integer -> Expression.MultiplyChecked(a, b)
    | Add, _ -> Expression.Add(a, b)
    | Subtract, _ -> Expression.Subtract(a, b)
    | Multiply, _ -> Expression.Multiply(a, b)
    | Divide, _ -> Expression.Call(method<Arithmetic> "Divide" [ a.Type; b.Type ], a, b)
    | Modulo, _ -> Expression.Call(method<Arithmetic> "Remainder" [ a.Type; b.Type ], a, b)
    | Concat, _ -> Expression.Call(concatText, a, b)
    | _ -> invalidOp (sprintf "Foundry bug: %A is not arithmetic" op)

let private comparison (op: BinaryOp) (a: Expression) (b: Expression) : Expression =
    // Text compares by code point; booleans as 0/1; numbers natively.
    let a, b =
        if a.Type = typeof<string> then
            Expression.Call(compareText, a, b) :> Expression, Expression.Constant(0) :> Expression
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

let private toText (v: Expression) : Expression =
    if v.Type = typeof<string> then v
    else Expression.Call(method<Conversions> "ToText" [ v.Type ], v)

/// Stores a computed (value, isNull) into fresh locals, so the Slot is cheap to read repeatedly.
let private materialise (ctx: EmitContext) (t: SqlType) (code: Expression list) (value: Expression) (isNull: Expression) hint =
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

let rec emit (ctx: EmitContext) (env: Env) (e: Expr) : Emitted =
    match e.Kind with
    | Constant v -> { Code = []; Slot = constantSlot v e.Type }
    | ColumnRef c ->
        match env.TryFind c.Id with
        | Some slot -> { Code = []; Slot = slot }
        | None -> invalidOp (sprintf "Foundry bug: column %s#%d is not available to generated code" c.Name c.Id)
    | Cast(x, target) ->
        let inner = emit ctx env x
        let value =
            match target with
            | SqlType.Real when inner.Slot.Value.Type = typeof<int64> -> Expression.Convert(inner.Slot.Value, typeof<float>) :> Expression
            | SqlType.Text -> toText inner.Slot.Value
            | _ when inner.Slot.Value.Type = clrType target -> inner.Slot.Value
            | _ -> invalidOp (sprintf "Foundry bug: no conversion from %A to %A" x.Type target)
        materialise ctx target inner.Code value inner.Slot.IsNull "cast"
    | IsNull(x, negated) ->
        let inner = emit ctx env x
        let test = if negated then Expression.Not(inner.Slot.IsNull) :> Expression else inner.Slot.IsNull
        materialise ctx SqlType.Boolean inner.Code test falseExpr "isnull"
    | Unary(Not, x) ->
        let inner = emit ctx env x
        materialise ctx SqlType.Boolean inner.Code (Expression.Not(inner.Slot.Value)) inner.Slot.IsNull "not"
    | Unary(Negate, x) ->
        let inner = emit ctx env x
        let value =
            if e.Type = SqlType.Integer then
                Expression.Call(method<Arithmetic> "Negate" [ typeof<int64> ], inner.Slot.Value) :> Expression
            else Expression.Negate(inner.Slot.Value)
        materialise ctx e.Type inner.Code value inner.Slot.IsNull "neg"
    | Binary(And, a, b) -> emitLogical ctx env true a b
    | Binary(Or, a, b) -> emitLogical ctx env false a b
    | Binary(op, a, b) ->
        let left = emit ctx env a
        let right = emit ctx env b
        let value =
            match op with
            | Equal
            | NotEqual
            | Less
            | LessOrEqual
            | Greater
            | GreaterOrEqual -> comparison op left.Slot.Value right.Slot.Value
            | _ -> arithmetic op e.Type left.Slot.Value right.Slot.Value
        materialise ctx e.Type (left.Code @ right.Code) value (orElse left.Slot.IsNull right.Slot.IsNull) "t"

/// AND (isAnd) or OR with three-valued logic and short-circuit: the right side runs only when the
/// left side is not the deciding value (FALSE for AND, TRUE for OR).
and private emitLogical ctx env (isAnd: bool) (a: Expr) (b: Expr) : Emitted =
    let decider = not isAnd // AND is decided by a FALSE operand, OR by a TRUE one
    let left = emit ctx env a
    let right = emit ctx env b
    let v = ctx.Local(typeof<bool>, (if isAnd then "and" else "or"))
    let n = ctx.Local(typeof<bool>, "n")
    let decides (slot: Slot) =
        Expression.AndAlso(Expression.Not(slot.IsNull), Expression.Equal(slot.Value, Expression.Constant(decider)))
    let decided = block [ Expression.Assign(v, Expression.Constant(decider)); Expression.Assign(n, falseExpr) ]
    let undecided =
        block
            [ Expression.Assign(v, Expression.Constant(not decider))
              Expression.Assign(n, orElse left.Slot.IsNull right.Slot.IsNull) ]
    let code =
        left.Code
        @ [ Expression.IfThenElse(
                decides left.Slot,
                decided,
                block (right.Code @ [ Expression.IfThenElse(decides right.Slot, decided, undecided) ])
            ) ]
    { Code = code; Slot = { Value = v; IsNull = n } }

/// Code that evaluates a condition and is true only when it is TRUE (not FALSE, not NULL).
let emitCondition (ctx: EmitContext) (env: Env) (e: Expr) : Expression list * Expression =
    let r = emit ctx env e
    let test =
        if isConstFalse r.Slot.IsNull then r.Slot.Value
        else Expression.AndAlso(Expression.Not(r.Slot.IsNull), r.Slot.Value) :> Expression
    r.Code, test
