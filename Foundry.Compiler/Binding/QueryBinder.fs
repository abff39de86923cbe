/// Binds queries: FROM items (tables, views, CTEs, derived tables, joins), WHERE, GROUP BY and
/// aggregates, HAVING, the select list, ORDER BY (by position, output name or expression; an
/// expression not in the select list becomes a hidden output column), LIMIT/OFFSET, VALUES and set
/// operations.
module Foundry.Compiler.Binding.QueryBinder

open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Binding.BoundTree
open Foundry.Compiler.Binding.BindContext
open Foundry.Compiler.Binding.Scope
open Foundry.Compiler.Binding.ExprBinder
open Foundry.Compiler.Binding
open Foundry.Runtime

let private entriesOf (alias: string) (columns: Column list) =
    columns |> List.map (fun c -> { Qualifier = alias; Column = c; Unqualified = true })

let private nullableIf force (c: Column) = if force then { c with Nullable = true } else c

/// LIMIT and OFFSET: an INTEGER expression of constants and parameters.
let private bindCount (ctx: Context) (env: Env) clause (e: Ast.Expr) =
    let b = bind ctx { env with Scope = Scope.empty; Aggregates = None; Clause = clause } e
    if b.Type = SqlType.Integer || b.Type = SqlType.Null then castTo ctx SqlType.Integer b
    else
        ctx.Report(Messages.limitNotInteger e.Span clause)
        errorExpr e.Span

/// Renames a query's output columns (a CTE or derived table's column list); ids stay.
let private renamed (ctx: Context) alias (names: Ast.Identifier list option) (columns: Column list) span =
    match names with
    | None -> columns
    | Some ids when ids.Length = columns.Length -> List.map2 (fun (id: Ast.Identifier) (c: Column) -> { c with Name = id.Name }) ids columns
    | Some ids ->
        ctx.Report(Messages.derivedColumnCount span alias ids.Length columns.Length)
        columns

let rec bindQuery (ctx: Context) (outer: Scope) (q: Ast.Query) : Query =
    ctx.WithCtes(q.With, q.Recursive, fun () ->
        let env = { Scope = outer; Aggregates = None; Clause = "ORDER BY"; BindQuery = bindQuery ctx }
        let limit = q.Limit |> Option.map (bindCount ctx env "LIMIT")
        let offset = q.Offset |> Option.map (bindCount ctx env "OFFSET")
        match q.Body with
        | Ast.Specification s -> bindSelect ctx outer s q.OrderBy limit offset
        | body ->
            let bound, columns = bindBody ctx outer body
            // ORDER BY over a set operation or VALUES sees only the output columns.
            let scope = child outer (entriesOf "" columns)
            let keys =
                q.OrderBy
                |> List.map (fun o ->
                    let expr =
                        match o.Expr.Kind with
                        | Ast.Literal(Ast.IntegerLiteral n) when n >= 1L && n <= int64 columns.Length -> Expr.column columns[int n - 1] o.Expr.Span
                        | Ast.Literal(Ast.IntegerLiteral n) ->
                            ctx.Report(Messages.orderByPositionOutOfRange o.Expr.Span n columns.Length)
                            errorExpr o.Expr.Span
                        | _ -> bind ctx { env with Scope = scope } o.Expr
                    { Expr = expr; Descending = o.Descending; NullsFirst = defaultArg o.NullsFirst (not o.Descending) })
            { Body = bound; OrderBy = keys; Limit = limit; Offset = offset; Columns = columns })

/// A query body that is not a plain SELECT (or is one inside a set operation), with its columns.
and private bindBody (ctx: Context) (outer: Scope) (body: Ast.QueryBody) : QueryBody * Column list =
    match body with
    | Ast.Specification s ->
        let q = bindSelect ctx outer s [] None None
        match q.Body with
        | SelectBody _ as b -> b, q.Columns
        | _ -> invalidOp "Foundry bug: a SELECT bound to something else"
    | Ast.Nested q ->
        let bq = bindQuery ctx outer q
        let columns = bq.Columns |> List.map (fun c -> ctx.NewColumn(c.Name, c.Type, c.Nullable))
        let select =
            { From = Some(DerivedSource(bq, "", bq.Columns))
              Where = None
              Grouping = None
              Having = None
              Output = List.zip columns (bq.Columns |> List.map (fun c -> Expr.column c Span.None))
              VisibleCount = columns.Length
              Distinct = false }
        SelectBody select, columns
    | Ast.Values(rows, span) ->
        let env = { Scope = outer; Aggregates = None; Clause = "VALUES"; BindQuery = bindQuery ctx }
        let bound = rows |> List.map (List.map (bind ctx env))
        let width = bound.Head.Length
        for row in bound do
            if row.Length <> width then ctx.Report(Messages.setOperationArity span "VALUES" width row.Length)
        let bound = bound |> List.filter (fun r -> r.Length = width)
        let types =
            [ for i in 0 .. width - 1 ->
                  match unifyAll (bound |> List.map (fun r -> r[i].Type)) with
                  | Some t -> (if t = SqlType.Null then SqlType.Text else t)
                  | None ->
                      ctx.Report(Messages.setOperationTypes span "VALUES" (i + 1) (bound.Head[i].Type.Display()) "another type")
                      SqlType.Text ]
        let rows = bound |> List.map (List.mapi (fun i e -> castTo ctx types[i] e))
        let columns = types |> List.mapi (fun i t -> ctx.NewColumn(sprintf "column%d" (i + 1), t, rows |> List.exists (fun r -> r[i].Nullable)))
        ValuesBody(rows, columns), columns
    | Ast.SetOperation(op, all, left, right, span) ->
        let lb, lc = bindBody ctx outer left
        let rb, rc = bindBody ctx outer right
        let opName =
            match op with
            | Ast.Union -> "UNION"
            | Ast.Intersect -> "INTERSECT"
            | Ast.Except -> "EXCEPT"
        if lc.Length <> rc.Length then ctx.Report(Messages.setOperationArity span opName lc.Length rc.Length)
        let columns =
            List.zip (List.truncate rc.Length lc) (List.truncate lc.Length rc)
            |> List.mapi (fun i (l, r) ->
                let t =
                    match TypeRules.unify l.Type r.Type with
                    | Some t -> t
                    | None ->
                        ctx.Report(Messages.setOperationTypes span opName (i + 1) (l.Type.Display()) (r.Type.Display()))
                        l.Type
                ctx.NewColumn(l.Name, t, l.Nullable || r.Nullable))
        let setOp =
            match op with
            | Ast.Union -> Union
            | Ast.Intersect -> Intersect
            | Ast.Except -> Except
        SetOperation(setOp, all, lb, rb, columns), columns

/// A CTE of WITH RECURSIVE: `base UNION [ALL] step`, where the step names the CTE itself (the rows of
/// the previous iteration). A CTE that does not refer to itself is bound like any other.
and private bindRecursive (ctx: Context) (name: string) (cte: Ast.CommonTableExpr) : Query =
    match cte.Query.Body with
    | Ast.SetOperation(Ast.Union, all, baseAst, stepAst, span) when cte.Query.OrderBy.IsEmpty && cte.Query.Limit.IsNone ->
        let baseBody, baseColumns = bindBody ctx Scope.empty baseAst
        let named = renamed ctx name cte.Columns baseColumns cte.Span
        let output = named |> List.map (fun c -> ctx.NewColumn(c.Name, c.Type, true))
        let working = named |> List.map (fun c -> ctx.NewColumn(c.Name, c.Type, true))
        ctx.WithWorkingTable(name, working, fun id ->
            let stepBody, stepColumns = bindBody ctx Scope.empty stepAst
            if stepColumns.Length <> output.Length then ctx.Report(Messages.setOperationArity span "UNION" output.Length stepColumns.Length)
            else
                List.iteri2 (fun i (o: Column) (st: Column) ->
                    if o.Type <> st.Type && st.Type <> SqlType.Null then
                        ctx.Report(Messages.setOperationTypes span "recursive UNION" (i + 1) (o.Type.Display()) (st.Type.Display()))) output stepColumns
            { Body = RecursiveUnion(id, all, baseBody, stepBody, output); OrderBy = []; Limit = None; Offset = None; Columns = output })
    | _ -> bindQuery ctx Scope.empty cte.Query

/// A table name in FROM: a CTE, a view or a table, in that order of precedence.
and private bindNamedSource (ctx: Context) (t: Ast.TableRef) (forceNullable: bool) : Source * Entry list =
    let alias = match t.Alias with Some a -> a.Name | None -> t.Name.Name
    match ctx.FindWorkingTable t.Name.Name with
    | Some(id, columns) ->
        let columns = columns |> List.map (nullableIf forceNullable)
        WorkingTableSource(id, alias, columns), entriesOf alias columns
    | None ->
    match ctx.FindCte t.Name.Name with
    | Some cte when ctx.CteIsRecursive t.Name.Name ->
        let q = ctx.WithoutCte(t.Name.Name, fun () -> bindRecursive ctx t.Name.Name cte)
        let columns = q.Columns |> List.map (nullableIf forceNullable)
        DerivedSource(q, alias, columns), entriesOf alias columns
    | Some cte ->
        let q = ctx.WithoutCte(t.Name.Name, fun () -> bindQuery ctx Scope.empty cte.Query)
        let columns = renamed ctx alias cte.Columns q.Columns cte.Span |> List.map (nullableIf forceNullable)
        DerivedSource(q, alias, columns), entriesOf alias columns
    | None ->
        match ctx.Catalog.FindView t.Name.Name with
        | null ->
            match ctx.Catalog.FindTable t.Name.Name with
            | null ->
                ctx.Report(Messages.unknownTable t.Name.Span t.Name.Name)
                let q = { Body = ValuesBody([], []); OrderBy = []; Limit = None; Offset = None; Columns = [] }
                DerivedSource(q, alias, []), []
            | schema ->
                let columns = [ for c in schema.Columns -> ctx.NewColumn(c.Name, c.Type, forceNullable || not c.NotNull) ]
                TableSource { Schema = schema; Alias = alias; Columns = columns }, entriesOf alias columns
        | sql ->
            match Parser.parseStatement sql with
            | Ok { Kind = Ast.Select q } ->
                // A view's text is its own source: errors in it are reported against this statement's view name.
                let viewCtx = Context(ctx.Catalog, sql)
                let bq = bindQuery viewCtx Scope.empty q
                if viewCtx.Errors.Count > 0 then
                    ctx.Report(Messages.unsupportedSyntax t.Name.Span (sprintf "view \"%s\" no longer binds (%s); it" t.Name.Name viewCtx.Errors[0].Message))
                let columns = bq.Columns |> List.map (nullableIf forceNullable)
                DerivedSource(bq, alias, columns), entriesOf alias columns
            | _ ->
                ctx.Report(Messages.unknownView t.Name.Span t.Name.Name)
                DerivedSource({ Body = ValuesBody([], []); OrderBy = []; Limit = None; Offset = None; Columns = [] }, alias, []), []

and private bindFromItem (ctx: Context) (outer: Scope) (item: Ast.FromItem) (forceNullable: bool) : Source * Entry list =
    match item with
    | Ast.Table t -> bindNamedSource ctx t forceNullable
    | Ast.Derived(q, alias, names, span) ->
        let bq = bindQuery ctx outer q
        let columns = renamed ctx alias.Name names bq.Columns span |> List.map (nullableIf forceNullable)
        DerivedSource(bq, alias.Name, columns), entriesOf alias.Name columns
    | Ast.Join(kind, left, right, condition, span) ->
        let leftNullable = forceNullable || kind = Ast.RightJoin || kind = Ast.FullJoin
        let rightNullable = forceNullable || kind = Ast.LeftJoin || kind = Ast.FullJoin
        let ls, le = bindFromItem ctx outer left leftNullable
        let rs, re = bindFromItem ctx outer right rightNullable
        let boundKind =
            match kind with
            | Ast.InnerJoin -> Inner
            | Ast.LeftJoin -> LeftOuter
            | Ast.RightJoin -> RightOuter
            | Ast.FullJoin -> FullOuter
            | Ast.CrossJoin -> Cross
        let env = { Scope = child outer (le @ re); Aggregates = None; Clause = "JOIN condition"; BindQuery = bindQuery ctx }
        let usingJoin (names: string list) =
            let pairs =
                names
                |> List.choose (fun n ->
                    let find (entries: Entry list) = entries |> List.tryFind (fun e -> e.Unqualified && System.String.Equals(e.Column.Name, n, System.StringComparison.OrdinalIgnoreCase))
                    match find le, find re with
                    | Some l, Some r -> Some(l, r)
                    | _ ->
                        ctx.Report(Messages.usingColumnMissing span n)
                        None)
            let condition =
                pairs |> List.map (fun (l, r) -> typeBinary ctx Equal (Expr.column l.Column span) (Expr.column r.Column span) span) |> Expr.conjoin
            // The right copy of each USING column is reachable only qualified (SELECT * lists it once).
            let hidden = pairs |> List.map (fun (_, r) -> r.Column.Id) |> Set.ofList
            let re = re |> List.map (fun e -> if hidden.Contains e.Column.Id then { e with Unqualified = false } else e)
            condition, le @ re
        let condition, entries =
            match condition with
            | Ast.On e -> Some(bindCondition ctx env e), le @ re
            | Ast.Using names -> usingJoin (names |> List.map (fun n -> n.Name))
            | Ast.Natural ->
                let leftNames = le |> List.filter (fun e -> e.Unqualified) |> List.map (fun e -> e.Column.Name.ToLowerInvariant()) |> Set.ofList
                let common =
                    re |> List.filter (fun e -> e.Unqualified && leftNames.Contains(e.Column.Name.ToLowerInvariant())) |> List.map (fun e -> e.Column.Name)
                usingJoin common
            | Ast.NoCondition -> None, le @ re
        let boundKind = if boundKind = Cross && condition.IsSome then Inner else boundKind
        JoinSource(boundKind, ls, rs, condition), entries

/// The comma-separated FROM list: a left-deep chain of cross joins (WHERE equalities become join
/// conditions in the optimizer).
and bindFrom (ctx: Context) (outer: Scope) (items: Ast.FromItem list) : Source option * Entry list =
    let bound = items |> List.map (fun i -> bindFromItem ctx outer i false)
    let aliases = bound |> List.collect (fun (_, entries) -> entries |> List.map (fun e -> e.Qualifier.ToLowerInvariant()) |> List.distinct) |> List.filter ((<>) "")
    match aliases |> List.countBy id |> List.tryFind (fun (_, n) -> n > 1) with
    | Some(alias, _) -> ctx.Report(Messages.duplicateAlias (Span.None) alias)
    | None -> ()
    match bound with
    | [] -> None, []
    | (first, fe) :: rest ->
        let source = rest |> List.fold (fun acc (s, _) -> JoinSource(Cross, acc, s, None)) first
        Some source, fe @ (rest |> List.collect snd)

and private bindSelect (ctx: Context) (outer: Scope) (s: Ast.Select) orderBy limit offset : Query =
    let source, entries = bindFrom ctx outer s.From
    let scope = child outer entries
    let localIds = entries |> List.map (fun e -> e.Column.Id) |> Set.ofList
    let plainEnv clause = { Scope = scope; Aggregates = None; Clause = clause; BindQuery = bindQuery ctx }
    let where = s.Where |> Option.map (bindCondition ctx (plainEnv "WHERE"))
    let collector = AggregateCollector(ctx)
    let aggEnv clause = { plainEnv clause with Aggregates = Some collector }
    // The select list.
    let items =
        s.Items
        |> List.collect (fun item ->
            match item with
            | Ast.AllColumns span ->
                if s.From.IsEmpty then
                    ctx.Report(Messages.starWithoutFrom span)
                    []
                else starColumns scope None |> List.map (fun c -> c.Name, Expr.column c span)
            | Ast.TableColumns(q, span) ->
                match starColumns scope (Some q) with
                | [] ->
                    ctx.Report(Messages.unknownTable q.Span q.Name)
                    []
                | cols -> cols |> List.map (fun c -> c.Name, Expr.column c span)
            | Ast.ExprItem(e, alias) ->
                let b = bind ctx (aggEnv "SELECT") e
                let name =
                    match alias, e.Kind with
                    | Some a, _ -> a.Name
                    | None, Ast.ColumnRef(_, n) -> n.Name
                    | None, _ -> ctx.TextOf e.Span
                [ name, b ])
    let isFromColumn (name: Ast.Identifier) = entries |> List.exists (fun e -> e.Unqualified && nameEquals name e.Column.Name)
    // GROUP BY: an expression, an output position, or an output alias that is not a FROM column.
    let groupKeys =
        s.GroupBy
        |> List.map (fun g ->
            match g.Kind with
            | Ast.Literal(Ast.IntegerLiteral n) when n >= 1L && n <= int64 items.Length -> snd items[int n - 1]
            | Ast.ColumnRef(None, name) when not (isFromColumn name) && items |> List.exists (fun (n, _) -> nameEquals name n) ->
                snd (items |> List.find (fun (n, _) -> nameEquals name n))
            | _ -> bind ctx (plainEnv "GROUP BY") g)
    let having = s.Having |> Option.map (bindCondition ctx (aggEnv "HAVING"))
    // ORDER BY: a position, an output alias (preferred over a FROM column of the same name), or an expression.
    let orderItems =
        orderBy
        |> List.map (fun (o: Ast.OrderItem) ->
            let expr =
                match o.Expr.Kind with
                | Ast.Literal(Ast.IntegerLiteral n) ->
                    if n >= 1L && n <= int64 items.Length then snd items[int n - 1]
                    else
                        ctx.Report(Messages.orderByPositionOutOfRange o.Expr.Span n items.Length)
                        errorExpr o.Expr.Span
                | Ast.ColumnRef(None, name) when items |> List.exists (fun (n, _) -> nameEquals name n) ->
                    snd (items |> List.find (fun (n, _) -> nameEquals name n))
                | _ -> bind ctx (aggEnv "ORDER BY") o.Expr
            expr, o)
    // Grouping: with GROUP BY or any aggregate, expressions above the grouping may use only group keys
    // (matched structurally) and aggregates.
    let aggregates = collector.Calls
    let grouped = not groupKeys.IsEmpty || not aggregates.IsEmpty || s.Having.IsSome
    let structuralKey = memoizedStructuralKey ctx.TextOf
    // Keys and the expressions matched against them are compared after the same constant folding.
    let groupKeys = groupKeys |> List.map ConstantEvaluator.fold
    let keyColumns = groupKeys |> List.map (fun k -> ctx.NewColumn(ctx.TextOf k.Span, k.Type, k.Nullable), k)
    let keyIndex = keyColumns |> List.map (fun (c, k) -> structuralKey k, c) |> Map.ofList
    let chainKeys = keyIndex |> Map.exists (fun k _ -> k.StartsWith "chain ")
    let regroup (e: Expr) =
        if not grouped then e
        else
            // Fold first: COALESCE(59, col0) is 59, which needs no GROUP BY column.
            let e = ConstantEvaluator.fold e
            let rec replace (x: Expr) =
                match keyIndex.TryFind(structuralKey x) with
                | Some c -> Expr.column c x.Span
                | None ->
                    match x.Kind with
                    | ColumnRef c when localIds.Contains c.Id ->
                        ctx.Report(Messages.notGrouped x.Span c.Name)
                        errorExpr x.Span
                    | Chain(first, steps) when chainKeys && steps.Length > 1 ->
                        // A key may be a prefix of the chain, as a subtree of the left-deep tree it
                        // stands for: a + b + 1 with GROUP BY a + b.
                        let prefix k = Expr.make (Chain(first, List.take k steps)) x.Type x.Nullable x.Span
                        let found = seq { steps.Length - 1 .. -1 .. 1 } |> Seq.tryPick (fun k -> keyIndex.TryFind(structuralKey (prefix k)) |> Option.map (fun c -> k, c))
                        match found with
                        | Some(k, c) -> { x with Kind = Chain(Expr.column c x.Span, steps |> List.skip k |> List.map (fun (op, e) -> op, replace e)) }
                        | None -> Expr.withChildren x (Expr.children x |> List.map replace)
                    | _ ->
                        match Expr.children x with
                        | [] -> x
                        | xs -> Expr.withChildren x (xs |> List.map replace)
            replace e
    let items = items |> List.map (fun (n, e) -> n, regroup e)
    let having = having |> Option.map regroup
    let orderItems = orderItems |> List.map (fun (e, o) -> regroup e, o)
    let visible = items |> List.map (fun (name, e) -> ctx.NewColumn(name, e.Type, e.Nullable), e)
    // Sort keys refer to output columns; an ORDER BY expression not in the list is a hidden column.
    let hidden = ResizeArray<Column * Expr>()
    let keys =
        orderItems
        |> List.map (fun (e, o) ->
            let k = structuralKey e
            let column =
                match visible |> List.tryFind (fun (_, ve) -> structuralKey ve = k) with
                | Some(c, _) -> c
                | None ->
                    match hidden |> Seq.tryFind (fun (_, he) -> structuralKey he = k) with
                    | Some(c, _) -> c
                    | None ->
                        if s.Distinct then ctx.Report(Messages.distinctOrderBy o.Expr.Span)
                        let c = ctx.NewColumn(ctx.TextOf o.Expr.Span, e.Type, e.Nullable)
                        hidden.Add((c, e))
                        c
            { Expr = Expr.column column o.Expr.Span; Descending = o.Descending; NullsFirst = defaultArg o.NullsFirst (not o.Descending) })
    let select =
        { From = source
          Where = where
          Grouping = (if grouped then Some { Keys = keyColumns; Aggregates = aggregates } else None)
          Having = having
          Output = visible @ List.ofSeq hidden
          VisibleCount = visible.Length
          Distinct = s.Distinct }
    { Body = SelectBody select; OrderBy = keys; Limit = limit; Offset = offset; Columns = visible |> List.map fst }
