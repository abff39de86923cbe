/// Binds expressions: resolves names through the scope, types every node, inserts implicit casts,
/// rewrites sugar (BETWEEN, IN lists, COALESCE, NULLIF, simple CASE) into what it means, turns
/// aggregate calls into references to the query's aggregate columns, and binds subqueries with the
/// current scope as their parent.
module Foundry.Compiler.Binding.ExprBinder

open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BindContext
open Foundry.Compiler.Binding.Scope
open Foundry.Compiler.Binding
open Foundry.Runtime

/// What an expression may refer to: the scope, the aggregate collector when aggregates are allowed
/// here (None in WHERE, GROUP BY, ON, VALUES), the clause name for messages, and the query binder used
/// for subqueries.
type Env =
    { Scope: Scope
      Aggregates: AggregateCollector option
      Clause: string
      BindQuery: Scope -> Ast.Query -> Query }

/// Converts an operand to `target` when it is of a different (compatible) type. A NULL literal or a
/// parameter of still-unknown type simply takes the target type.
let castTo (ctx: Context) (target: SqlType) (e: Expr) =
    if e.Type = target || target = SqlType.Null then e
    else
        match e.Kind with
        | Constant VNull -> { e with Type = target }
        | Parameter n when e.Type = SqlType.Null ->
            ctx.FixParameterType(n, target)
            { e with Type = target }
        | _ -> Expr.make (Cast(e, target)) target e.Nullable e.Span

let private opText = BinaryOp.text

let private binaryOp =
    function
    | Ast.Add -> Add
    | Ast.Subtract -> Subtract
    | Ast.Multiply -> Multiply
    | Ast.Divide -> Divide
    | Ast.Modulo -> Modulo
    | Ast.Concat -> Concat
    | Ast.Equal -> Equal
    | Ast.NotEqual -> NotEqual
    | Ast.Less -> Less
    | Ast.LessOrEqual -> LessOrEqual
    | Ast.Greater -> Greater
    | Ast.GreaterOrEqual -> GreaterOrEqual
    | Ast.And -> And
    | Ast.Or -> Or

let private boolOrNull (t: SqlType) = t = SqlType.Boolean || t = SqlType.Null

/// Types a binary operation, inserting implicit casts; reports FND1004 when the operand types do not
/// fit. A comparison becomes a Binary node, any other operator a one-step Chain.
let typeBinary (ctx: Context) op (a: Expr) (b: Expr) span =
    let chain x y t = Expr.make (Chain(x, [ op, y ])) t (x.Nullable || y.Nullable) span
    let mismatch () =
        ctx.Report(Messages.operatorTypeMismatch span (opText op) (a.Type.Display()) (b.Type.Display()))
        errorExpr span
    let nullable = a.Nullable || b.Nullable
    match op with
    | And
    | Or ->
        if boolOrNull a.Type && boolOrNull b.Type then
            chain (castTo ctx SqlType.Boolean a) (castTo ctx SqlType.Boolean b) SqlType.Boolean
        else mismatch ()
    | Equal
    | NotEqual
    | Less
    | LessOrEqual
    | Greater
    | GreaterOrEqual ->
        match TypeRules.unify a.Type b.Type with
        | Some t ->
            // BLOBs compare bytewise, like the key encoding orders them.
            let t = if t = SqlType.Null then SqlType.Integer else t
            Expr.make (Binary(op, castTo ctx t a, castTo ctx t b)) SqlType.Boolean nullable span
        | _ -> mismatch ()
    | Concat ->
        let textual (e: Expr) =
            match e.Type with
            | SqlType.Text
            | SqlType.Null -> Some(castTo ctx SqlType.Text e)
            | SqlType.Integer
            | SqlType.Real
            | SqlType.Boolean -> Some(Expr.make (Cast(e, SqlType.Text)) SqlType.Text e.Nullable e.Span)
            | _ -> None
        let anyText = a.Type = SqlType.Text || b.Type = SqlType.Text || a.Type = SqlType.Null || b.Type = SqlType.Null
        match textual a, textual b with
        | Some x, Some y when anyText -> chain x y SqlType.Text
        | _ -> mismatch ()
    | Add
    | Subtract
    | Multiply
    | Divide
    | Modulo ->
        match TypeRules.unify a.Type b.Type with
        | Some t when TypeRules.isNumeric t || t = SqlType.Null ->
            let t = if t = SqlType.Null then SqlType.Integer else t
            chain (castTo ctx t a) (castTo ctx t b) t
        | _ -> mismatch ()

/// The precedence level of a chainable operator: operators of one level chain together.
let private chainLevel =
    function
    | Or -> 1
    | And -> 2
    | Concat -> 8
    | Add
    | Subtract -> 9
    | _ -> 10

/// Stands for the chain bound so far while typing its next step (see typeChain); never in a tree.
let private chainSoFar: Column = { Id = -1; Name = "chain so far"; Type = SqlType.Null; Nullable = false }

/// Types a chain `first op1 e1 op2 e2 ...` step by step, left to right, with the same rules (and
/// messages) as a left-deep tree of binary operations, in a loop: each step is typed against a
/// stand-in of the chain so far. When a step converts the chain so far (INTEGER + REAL), the chain
/// ends there and, cast, becomes the first operand of the next one, so every operand of a chain has
/// the chain's type. A first operand that is itself a chain of the same level (`(a + b) + c`, or a
/// parenthesised AND) is continued, not nested, so that equal expressions have one shape (GROUP BY
/// matches them structurally). After a type error the rest is still bound (to report its errors too).
let private typeChain (ctx: Context) (first: Expr) (steps: (BinaryOp * Expr) list) (span: Span) : Expr =
    let stepsSoFar = ResizeArray<BinaryOp * Expr>()
    let mutable head = first
    let mutable chainType = first.Type
    let mutable nullable = first.Nullable
    let mutable failed = false
    match first.Kind, steps with
    | Chain(innerFirst, innerSteps), (op, _) :: _ when chainLevel (fst innerSteps.Head) = chainLevel op ->
        head <- innerFirst
        stepsSoFar.AddRange innerSteps
    | _ -> ()
    let closed () =
        if stepsSoFar.Count = 0 then head
        else
            let last = snd stepsSoFar[stepsSoFar.Count - 1]
            Expr.make (Chain(head, List.ofSeq stepsSoFar)) chainType nullable (Span.Union(head.Span, last.Span))
    for op, operand in steps do
        if not failed then
            let soFar =
                if stepsSoFar.Count = 0 then head
                else Expr.make (ColumnRef chainSoFar) chainType nullable (Span.Union(head.Span, operand.Span))
            match (typeBinary ctx op soFar operand (Span.Union(head.Span, operand.Span))).Kind with
            | Chain(left, [ _, right ]) ->
                if stepsSoFar.Count = 0 then head <- left
                elif not (obj.ReferenceEquals(left, soFar)) then
                    // The chain so far converts to the step's type: it ends here.
                    head <- castTo ctx left.Type (closed ())
                    stepsSoFar.Clear()
                stepsSoFar.Add((op, right))
                chainType <- left.Type
                nullable <- nullable || right.Nullable
            | _ -> failed <- true
    if failed then errorExpr span else { closed () with Span = span }

/// The common type of several results (CASE branches, COALESCE arguments), or None.
let unifyAll (types: SqlType list) =
    types |> List.fold (fun acc t -> acc |> Option.bind (fun a -> TypeRules.unify a t)) (Some SqlType.Null)

/// Whether CAST may convert `source` to `target`.
let private castAllowed (source: SqlType) (target: SqlType) =
    source = target
    || source = SqlType.Null
    || target = SqlType.Text
    || (match source, target with
        | (SqlType.Integer | SqlType.Real | SqlType.Boolean | SqlType.Text), (SqlType.Integer | SqlType.Real) -> true
        | (SqlType.Integer | SqlType.Text), SqlType.Boolean -> true
        | SqlType.Text, SqlType.Blob -> true
        | _ -> false)

/// Text with spans removed, used to recognise equal expressions (aggregate dedup, GROUP BY matching).
/// Two expressions with the same key compute the same value on every row. A subquery is identified by
/// its SQL text (`textOf` its span): the same text at the same query level binds to the same columns.
let private nodeKey (childKey: Expr -> string) (textOf: Span -> string) (e: Expr) : string =
    let args = Expr.children e |> List.map childKey |> String.concat ","
    let head =
        match e.Kind with
        | Constant v -> sprintf "const %s %s" (Value.toSql v) (e.Type.Display())
        | ColumnRef c -> sprintf "col %d" c.Id
        | Parameter n -> sprintf "param %d" n
        | Unary(op, _) -> sprintf "unary %A" op
        | Binary(op, _, _) -> sprintf "binary %A" op
        | Chain(_, steps) -> "chain " + (steps |> List.map (fst >> BinaryOp.text) |> String.concat " ")
        | InSet(_, values, hasNull, n) ->
            sprintf "inset %b %b %s" n hasNull (values |> Array.map Value.toSql |> String.concat ",")
        | IsNull(_, n) -> sprintf "isnull %b" n
        | IsDistinctFrom(_, _, n) -> sprintf "distinct %b" n
        | Cast(_, t) -> sprintf "cast %s" (t.Display())
        | Case(whens, _) -> sprintf "case %d" whens.Length
        | Function(f, _) -> sprintf "fn %A" f
        | Like(_, _, esc, n) -> sprintf "like %b %b" n esc.IsSome
        | Subquery(kind, _) ->
            let shape =
                match kind with
                | Scalar -> "scalar"
                | Exists n -> sprintf "exists %b" n
                | In(_, n) -> sprintf "in %b" n
            sprintf "subquery %s %s" shape (textOf e.Span)
    head + "(" + args + ")"

let rec structuralKeyWith (textOf: Span -> string) (e: Expr) : string =
    StackGuard.ensure e.Span
    nodeKey (structuralKeyWith textOf) textOf e

/// structuralKeyWith remembering every key by node identity, for a caller that asks for the keys of a
/// tree's nodes one by one (top-down), which would otherwise rebuild each subtree's key once per
/// ancestor: cubic in the depth of a nested expression.
let memoizedStructuralKey (textOf: Span -> string) : Expr -> string =
    let cache = System.Collections.Generic.Dictionary<Expr, string>(HashIdentity.Reference)
    let rec key (e: Expr) =
        match cache.TryGetValue e with
        | true, k -> k
        | _ ->
            StackGuard.ensure e.Span
            let k = nodeKey key textOf e
            cache[e] <- k
            k
    key

/// The columns of the query level an environment binds in (its FROM, not the enclosing levels').
let private levelColumns (env: Env) = env.Scope.Entries |> List.map (fun e -> e.Column.Id) |> Set.ofList

/// Binds a subquery expression's query with this level as its innermost enclosing one.
let private bindSubquery (ctx: Context) (env: Env) (q: Ast.Query) =
    ctx.WithinLevel({ Columns = levelColumns env; Aggregates = env.Aggregates; Clause = env.Clause }, fun () -> env.BindQuery env.Scope q)

/// The level an aggregate over `argument` belongs to (its collector, or None with the clause that
/// allows none): the innermost level of the columns it reads, as in standard SQL and PostgreSQL.
/// An argument with a column of this level, or with no column at all, keeps it here; one that reads
/// only enclosing levels' columns makes it an aggregate of the nearest of them, so that in
/// `SELECT (SELECT max(p.price) FROM c) FROM products p` max runs over products, in the outer query.
let private owningLevel (ctx: Context) (env: Env) (argument: Expr option) : AggregateCollector option * string =
    let read = argument |> Option.map (ExprDeep.columns >> List.map (fun c -> c.Id) >> Set.ofList) |> Option.defaultValue Set.empty
    let reads (columns: Set<int>) = not (Set.intersect read columns).IsEmpty
    if reads (levelColumns env) then env.Aggregates, env.Clause
    else
        match ctx.EnclosingLevels |> Seq.tryFind (fun level -> reads level.Columns) with
        | Some level -> level.Aggregates, level.Clause
        | None -> env.Aggregates, env.Clause

let rec bind (ctx: Context) (env: Env) (e: Ast.Expr) : Expr =
    StackGuard.ensure e.Span
    let recur = bind ctx env
    match e.Kind with
    | Ast.Literal lit ->
        match lit with
        | Ast.IntegerLiteral i -> Expr.constant (VInteger i) e.Span
        | Ast.RealLiteral r -> Expr.constant (VReal r) e.Span
        | Ast.StringLiteral s -> Expr.constant (VText s) e.Span
        | Ast.BooleanLiteral b -> Expr.constant (VBoolean b) e.Span
        | Ast.NullLiteral -> Expr.constant VNull e.Span
    | Ast.Parenthesized inner -> { recur inner with Span = e.Span }
    | Ast.Parameter n ->
        ctx.ParameterCount <- max ctx.ParameterCount n
        Expr.make (Parameter n) (ctx.ParameterType n) true e.Span
    | Ast.ColumnRef(qualifier, name) ->
        match resolve env.Scope qualifier name with
        | Found c -> Expr.column c e.Span
        | Missing ->
            match qualifier with
            | Some q when not (hasQualifier env.Scope q) -> ctx.Report(Messages.unknownTable q.Span q.Name)
            | Some q -> ctx.Report(Messages.unknownColumn e.Span (q.Name + "." + name.Name))
            | None -> ctx.Report(Messages.unknownColumn e.Span name.Name)
            errorExpr e.Span
        | Ambiguous tables ->
            ctx.Report(Messages.ambiguousColumn e.Span name.Name tables)
            errorExpr e.Span
    // Unary plus is the identity on every type, as in SQLite (`+ col2` on TEXT is col2), not only on
    // numbers as in PostgreSQL: the sqllogictest corpus writes it before columns of any type.
    | Ast.Unary(Ast.Identity, x) -> { recur x with Span = e.Span }
    | Ast.Unary(Ast.Negate, x) ->
        let b = recur x
        if TypeRules.isNumeric b.Type then Expr.make (Unary(Negate, b)) b.Type b.Nullable e.Span
        elif b.Type = SqlType.Null then Expr.make (Unary(Negate, castTo ctx SqlType.Integer b)) SqlType.Integer true e.Span
        else
            ctx.Report(Messages.unaryTypeMismatch e.Span "-" (b.Type.Display()))
            errorExpr e.Span
    | Ast.Unary(Ast.Not, x) ->
        let b = recur x
        if boolOrNull b.Type then Expr.make (Unary(Not, castTo ctx SqlType.Boolean b)) SqlType.Boolean b.Nullable e.Span
        else
            ctx.Report(Messages.unaryTypeMismatch e.Span "NOT" (b.Type.Display()))
            errorExpr e.Span
    | Ast.Binary(op, a, b) -> typeBinary ctx (binaryOp op) (recur a) (recur b) e.Span
    | Ast.Chain(first, rest) -> typeChain ctx (recur first) (rest |> List.map (fun (op, x) -> binaryOp op, recur x)) e.Span
    | Ast.IsNull(x, negated) -> Expr.make (IsNull(recur x, negated)) SqlType.Boolean false e.Span
    | Ast.IsDistinctFrom(a, b, negated) ->
        let a, b = recur a, recur b
        match TypeRules.unify a.Type b.Type with
        | Some t -> Expr.make (IsDistinctFrom(castTo ctx t a, castTo ctx t b, negated)) SqlType.Boolean false e.Span
        | None ->
            ctx.Report(Messages.operatorTypeMismatch e.Span "IS DISTINCT FROM" (a.Type.Display()) (b.Type.Display()))
            errorExpr e.Span
    | Ast.Between(x, low, high, negated) ->
        // x BETWEEN a AND b means x >= a AND x <= b (x is evaluated twice; expressions have no side effects).
        let bx = recur x
        let range =
            typeBinary ctx And (typeBinary ctx GreaterOrEqual bx (recur low) e.Span) (typeBinary ctx LessOrEqual bx (recur high) e.Span) e.Span
        if negated then Expr.make (Unary(Not, range)) SqlType.Boolean range.Nullable e.Span else range
    | Ast.InList(x, items, negated) -> bindInList ctx (recur x) (items |> List.map recur) negated e.Span
    | Ast.Like(x, pattern, escape, negated) ->
        let bx, bp = recur x, recur pattern
        let be = escape |> Option.map recur
        let textual (b: Expr) = b.Type = SqlType.Text || b.Type = SqlType.Null
        if textual bx && textual bp && (be |> Option.forall textual) then
            let t = castTo ctx SqlType.Text
            Expr.make (Like(t bx, t bp, Option.map t be, negated)) SqlType.Boolean (bx.Nullable || bp.Nullable) e.Span
        else
            ctx.Report(Messages.operatorTypeMismatch e.Span "LIKE" (bx.Type.Display()) (bp.Type.Display()))
            errorExpr e.Span
    | Ast.Case(operand, whens, otherwise) ->
        let operand = operand |> Option.map recur
        let conditions =
            whens
            |> List.map (fun (w, _) ->
                let bw = recur w
                match operand with
                | Some o -> typeBinary ctx Equal o bw w.Span
                | None ->
                    if boolOrNull bw.Type then castTo ctx SqlType.Boolean bw
                    else
                        ctx.Report(Messages.conditionNotBoolean w.Span "CASE WHEN" (bw.Type.Display()))
                        errorExpr w.Span)
        let results = (whens |> List.map (snd >> recur)) @ [ (match otherwise with Some o -> recur o | None -> errorExpr e.Span) ]
        match unifyAll (results |> List.map (fun r -> r.Type)) with
        | Some t ->
            let results = results |> List.map (castTo ctx t)
            let whens = List.zip conditions (List.take whens.Length results)
            Expr.make (Case(whens, List.last results)) t (results |> List.exists (fun r -> r.Nullable)) e.Span
        | None ->
            ctx.Report(Messages.caseTypes e.Span (results.Head.Type.Display()) ((results |> List.find (fun r -> r.Type <> results.Head.Type)).Type.Display()))
            errorExpr e.Span
    | Ast.Cast(x, typeName) ->
        let bx = recur x
        match TypeRules.resolveTypeName typeName.Name with
        | None ->
            ctx.Report(Messages.unknownType typeName.Span typeName.Name)
            errorExpr e.Span
        | Some target when castAllowed bx.Type target ->
            if bx.Type = target then { bx with Span = e.Span }
            else
                match bx.Kind with
                | Constant VNull -> { bx with Type = target; Span = e.Span }
                | Parameter n when bx.Type = SqlType.Null -> castTo ctx target { bx with Span = e.Span }
                | _ -> Expr.make (Cast(bx, target)) target bx.Nullable e.Span
        | Some target ->
            ctx.Report(Messages.invalidCast e.Span (bx.Type.Display()) (target.Display()))
            errorExpr e.Span
    | Ast.FunctionCall(name, args, distinct, star) -> bindFunction ctx env e name args distinct star
    | Ast.ScalarSubquery q ->
        let bq = bindSubquery ctx env q
        match bq.Columns with
        | [ c ] -> Expr.make (Subquery(Scalar, bq)) c.Type true e.Span
        | cols ->
            ctx.Report(Messages.subqueryColumns e.Span cols.Length)
            errorExpr e.Span
    | Ast.Exists(q, negated) ->
        let bq = bindSubquery ctx env q
        Expr.make (Subquery(Exists negated, bq)) SqlType.Boolean false e.Span
    | Ast.InSubquery(x, q, negated) ->
        let bx = recur x
        let bq = bindSubquery ctx env q
        match bq.Columns with
        | [ c ] ->
            match TypeRules.unify bx.Type c.Type with
            | Some t when t = bx.Type || bx.Type = SqlType.Null ->
                Expr.make (Subquery(In(castTo ctx t bx, negated), bq)) SqlType.Boolean true e.Span
            | Some t ->
                // The subquery's column is the wider type: compare in it.
                Expr.make (Subquery(In(castTo ctx t bx, negated), bq)) SqlType.Boolean true e.Span
            | None ->
                ctx.Report(Messages.operatorTypeMismatch e.Span "IN" (bx.Type.Display()) (c.Type.Display()))
                errorExpr e.Span
        | cols ->
            ctx.Report(Messages.subqueryColumns e.Span cols.Length)
            errorExpr e.Span

/// x IN (a, b, ...) means x = a OR x = b ..., with SQL's NULL rules; IN () is FALSE. When every item
/// is a constant of a type x can be compared in, it becomes an InSet (one hash lookup per row, however
/// long the list); otherwise an OR chain of the equalities. Both compare in the common type of x and
/// all items (x IN (1, 2.5) compares in REAL), as PostgreSQL resolves an IN list.
and private bindInList ctx (bx: Expr) (items: Expr list) negated span : Expr =
    let hashable (t: SqlType) = t = SqlType.Integer || t = SqlType.Real || t = SqlType.Text || t = SqlType.Boolean
    let common = unifyAll (bx.Type :: (items |> List.map (fun i -> i.Type)))
    let constants =
        match common with
        | Some t when hashable t ->
            let values = items |> List.map (fun i -> ConstantEvaluator.evaluate (castTo ctx t i))
            if values |> List.forall Option.isSome then Some(t, values |> List.choose id) else None
        | _ -> None
    match items, constants with
    | [], _ -> Expr.constant (VBoolean(negated)) span
    | _, Some(t, values) ->
        let hasNull = values |> List.contains VNull
        let set = values |> List.filter (fun v -> v <> VNull) |> Array.ofList
        Expr.make (InSet(castTo ctx t bx, set, hasNull, negated)) SqlType.Boolean (bx.Nullable || hasNull) span
    | _ ->
        let equalities = items |> List.map (fun i -> typeBinary ctx Equal bx i span)
        let anyEqual =
            match equalities with
            | [ one ] -> one
            | first :: rest -> typeChain ctx first (rest |> List.map (fun c -> Or, c)) span
            | [] -> Expr.constant (VBoolean false) span
        if negated then Expr.make (Unary(Not, anyEqual)) SqlType.Boolean anyEqual.Nullable span else { anyEqual with Span = span }

and private bindFunction ctx env (e: Ast.Expr) (name: Ast.Identifier) args distinct star : Expr =
    let recur = bind ctx env
    match FunctionBinder.lookup name.Name with
    | None ->
        ctx.Report(Messages.unknownFunction name.Span name.Name)
        errorExpr e.Span
    | Some(FunctionBinder.AggregateKind f) ->
        // The argument is bound first: which query level the aggregate belongs to depends on the
        // columns it reads. While it is bound, an aggregate of this level inside it is nested.
        let bindArgument a =
            match env.Aggregates with
            | Some collector ->
                let outside = collector.Inside
                collector.Inside <- true
                try
                    recur a
                finally
                    collector.Inside <- outside
            | None -> recur a
        let f, argument, arityOk =
            match f, star, args with
            | Count, true, [] -> CountStar, None, true
            | _, false, [ a ] -> f, Some(bindArgument a), true
            | _ -> f, None, false
        match owningLevel ctx env argument with
        | None, clause ->
            ctx.Report(Messages.aggregateNotAllowed e.Span clause)
            errorExpr e.Span
        | Some collector, _ when collector.Inside ->
            ctx.Report(Messages.nestedAggregate e.Span)
            errorExpr e.Span
        | Some collector, _ ->
            if not arityOk then ctx.Report(Messages.functionArity e.Span (FunctionBinder.aggregateName f) "1" args.Length)
            let argType = argument |> Option.map (fun a -> a.Type) |> Option.defaultValue SqlType.Integer
            match FunctionBinder.aggregateType f argType with
            | None ->
                ctx.Report(Messages.functionArgumentType e.Span (FunctionBinder.aggregateName f) [ argType.Display() ])
                errorExpr e.Span
            | Some t ->
                let argument =
                    match f, argument with
                    | (Avg | Total), Some a -> Some(castTo ctx SqlType.Real a)
                    | _, Some a when a.Type = SqlType.Null -> Some(castTo ctx t a)
                    | _ -> argument
                let call = { Function = f; Argument = argument; Distinct = distinct; Type = t }
                let key = sprintf "%A|%b|%s" f distinct (argument |> Option.map (structuralKeyWith ctx.TextOf) |> Option.defaultValue "*")
                let column = collector.Add(call, key, ctx.TextOf e.Span)
                Expr.column column e.Span
    | Some FunctionBinder.Coalesce ->
        let bound = args |> List.map recur
        if bound.IsEmpty then
            ctx.Report(Messages.functionArity e.Span name.Name "at least 1" 0)
            errorExpr e.Span
        else
            match unifyAll (bound |> List.map (fun b -> b.Type)) with
            | None ->
                ctx.Report(Messages.functionArgumentType e.Span name.Name (bound |> List.map (fun b -> b.Type.Display())))
                errorExpr e.Span
            | Some t ->
                // COALESCE(a, b, c) = CASE WHEN a IS NOT NULL THEN a WHEN b IS NOT NULL THEN b ELSE c END
                let bound = bound |> List.map (castTo ctx t)
                let last = List.last bound
                let whens = bound |> List.take (bound.Length - 1) |> List.map (fun b -> Expr.make (IsNull(b, true)) SqlType.Boolean false b.Span, b)
                if whens.IsEmpty then { last with Span = e.Span }
                else Expr.make (Case(whens, last)) t (bound |> List.forall (fun b -> b.Nullable)) e.Span
    | Some FunctionBinder.NullIf ->
        match args |> List.map recur with
        | [ a; b ] ->
            // NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END
            let test = typeBinary ctx Equal a b e.Span
            let t = if a.Type = SqlType.Null then b.Type else a.Type
            Expr.make (Case([ test, { Expr.constant VNull e.Span with Type = t } ], castTo ctx t a)) t true e.Span
        | bound ->
            ctx.Report(Messages.functionArity e.Span "nullif" "2" bound.Length)
            errorExpr e.Span
    | Some(FunctionBinder.ScalarKind f) ->
        let bound = args |> List.map recur
        let expected, accepts = FunctionBinder.arity f
        if not (accepts bound.Length) then
            ctx.Report(Messages.functionArity e.Span (FunctionBinder.scalarName f) expected bound.Length)
            errorExpr e.Span
        else
            match FunctionBinder.signature f (bound |> List.map (fun b -> b.Type)) with
            | Some(parameters, result) ->
                let bound = List.map2 (castTo ctx) parameters bound
                Expr.make (Function(f, bound)) result (bound |> List.exists (fun b -> b.Nullable)) e.Span
            | None ->
                ctx.Report(Messages.functionArgumentType e.Span (FunctionBinder.scalarName f) (bound |> List.map (fun b -> b.Type.Display())))
                errorExpr e.Span

/// A condition (WHERE, HAVING, ON) must be BOOLEAN; NULL is accepted as "unknown".
let bindCondition (ctx: Context) (env: Env) (e: Ast.Expr) =
    let b = bind ctx env e
    if boolOrNull b.Type then castTo ctx SqlType.Boolean b
    else
        ctx.Report(Messages.conditionNotBoolean e.Span env.Clause (b.Type.Display()))
        errorExpr e.Span
