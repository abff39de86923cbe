/// AstPrinter.toSql round trips: generated Asts (every node kind) print to SQL that parses back to the
/// same Ast, and printing a parsed statement is a fixpoint.
module Foundry.Compiler.Tests.AstRoundTripTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Foundry.Compiler.Diagnostics
open Foundry.Compiler.Syntax
open Foundry.Compiler.Syntax.Ast

// ---- normalisers --------------------------------------------------------------------------------

let private isPlain (q: Query) = q.With.IsEmpty && q.OrderBy.IsEmpty && q.Limit.IsNone && q.Offset.IsNone

/// Rewrites every span to Span.None and, when dropParens, removes Parenthesized nodes and nested
/// queries that add nothing but parentheses (no WITH, ORDER BY, LIMIT or OFFSET of their own).
type private Normaliser(dropParens: bool) =
    let none = Span.None

    member _.Id(i: Identifier) = { i with Span = none }

    member this.Ids(ids: Identifier list) = List.map this.Id ids

    member this.Expr(e: Expr) : Expr =
        let kind =
            match e.Kind with
            | Literal _
            | Parameter _ as k -> k
            | ColumnRef(q, n) -> ColumnRef(Option.map this.Id q, this.Id n)
            | Unary(op, a) -> Unary(op, this.Expr a)
            | Binary(op, l, r) -> Binary(op, this.Expr l, this.Expr r)
            | Chain(first, rest) ->
                // A chain whose first operand is an unparenthesised chain of the same level prints as
                // one chain and reads back as one: flatten it.
                let rest = rest |> List.map (fun (op, x) -> op, this.Expr x)
                let level = BinaryOperator.precedence (fst rest.Head)
                match this.Expr first with
                | { Kind = Chain(innerFirst, innerRest) } when BinaryOperator.precedence (fst innerRest.Head) = level ->
                    Chain(innerFirst, innerRest @ rest)
                | first -> Chain(first, rest)
            | IsNull(a, negated) -> IsNull(this.Expr a, negated)
            | IsDistinctFrom(a, b, negated) -> IsDistinctFrom(this.Expr a, this.Expr b, negated)
            | FunctionCall(n, args, distinct, star) -> FunctionCall(this.Id n, List.map this.Expr args, distinct, star)
            | Case(operand, whens, elseResult) ->
                Case(Option.map this.Expr operand, whens |> List.map (fun (w, t) -> this.Expr w, this.Expr t), Option.map this.Expr elseResult)
            | Cast(a, t) -> Cast(this.Expr a, { t with Span = none })
            | Between(a, lo, hi, negated) -> Between(this.Expr a, this.Expr lo, this.Expr hi, negated)
            | InList(a, items, negated) -> InList(this.Expr a, List.map this.Expr items, negated)
            | InSubquery(a, q, negated) -> InSubquery(this.Expr a, this.Query q, negated)
            | Exists(q, negated) -> Exists(this.Query q, negated)
            | ScalarSubquery q -> ScalarSubquery(this.Query q)
            | Like(a, p, escape, negated) -> Like(this.Expr a, this.Expr p, Option.map this.Expr escape, negated)
            | Parenthesized a when dropParens -> (this.Expr a).Kind
            | Parenthesized a -> Parenthesized(this.Expr a)
        { Kind = kind; Span = none }

    member this.Item(item: SelectItem) =
        match item with
        | AllColumns _ -> AllColumns none
        | TableColumns(t, _) -> TableColumns(this.Id t, none)
        | ExprItem(e, alias) -> ExprItem(this.Expr e, Option.map this.Id alias)

    member this.TableRef(t: TableRef) = { Name = this.Id t.Name; Alias = Option.map this.Id t.Alias; Span = none }

    member this.From(f: FromItem) =
        match f with
        | Table t -> Table(this.TableRef t)
        | Derived(q, alias, columns, _) -> Derived(this.Query q, this.Id alias, Option.map this.Ids columns, none)
        | Join(kind, l, r, condition, _) ->
            let condition =
                match condition with
                | On e -> On(this.Expr e)
                | Using columns -> Using(this.Ids columns)
                | c -> c
            Join(kind, this.From l, this.From r, condition, none)

    member this.Body(b: QueryBody) =
        match b with
        | Specification s ->
            Specification
                { Distinct = s.Distinct
                  Items = List.map this.Item s.Items
                  From = List.map this.From s.From
                  Where = Option.map this.Expr s.Where
                  GroupBy = List.map this.Expr s.GroupBy
                  Having = Option.map this.Expr s.Having
                  Span = none }
        | Values(rows, _) -> Values(List.map (List.map this.Expr) rows, none)
        | SetOperation(op, all, l, r, _) -> SetOperation(op, all, this.Body l, this.Body r, none)
        | Nested q when dropParens && isPlain q -> this.Body q.Body
        | Nested q -> Nested(this.Query q)

    member this.Query(q: Query) : Query =
        match q.Body with
        | Nested inner when dropParens && isPlain q -> this.Query inner
        | _ ->
            { With = q.With |> List.map (fun c -> { Name = this.Id c.Name; Columns = Option.map this.Ids c.Columns; Query = this.Query c.Query; Span = none })
              Recursive = q.Recursive
              Body = this.Body q.Body
              OrderBy = q.OrderBy |> List.map (fun o -> { o with Expr = this.Expr o.Expr; Span = none })
              Limit = Option.map this.Expr q.Limit
              Offset = Option.map this.Expr q.Offset
              Span = none }

    member this.Reference(r: ForeignKeyReference) = { r with Table = this.Id r.Table; Columns = this.Ids r.Columns; Span = none }

    member this.Column(col: ColumnDef) =
        let constraintOf =
            function
            | PrimaryKeyConstraint _ -> PrimaryKeyConstraint none
            | NotNullConstraint _ -> NotNullConstraint none
            | UniqueConstraint _ -> UniqueConstraint none
            | DefaultConstraint(e, _) -> DefaultConstraint(this.Expr e, none)
            | CheckConstraint(e, _) -> CheckConstraint(this.Expr e, none)
            | ReferencesConstraint r -> ReferencesConstraint(this.Reference r)
        { Name = this.Id col.Name
          Type = { col.Type with Span = none }
          Constraints = List.map constraintOf col.Constraints
          Span = none }

    member this.Statement(s: Statement) : Statement =
        let kind =
            match s.Kind with
            | Select q -> Select(this.Query q)
            | CreateTable c ->
                let tableConstraint =
                    function
                    | PrimaryKeyTableConstraint(cs, _) -> PrimaryKeyTableConstraint(this.Ids cs, none)
                    | UniqueTableConstraint(cs, _) -> UniqueTableConstraint(this.Ids cs, none)
                    | CheckTableConstraint(e, _) -> CheckTableConstraint(this.Expr e, none)
                    | ForeignKeyTableConstraint(cs, r, _) -> ForeignKeyTableConstraint(this.Ids cs, this.Reference r, none)
                CreateTable
                    { c with
                        Name = this.Id c.Name
                        Columns = List.map this.Column c.Columns
                        Constraints = List.map tableConstraint c.Constraints
                        Span = none }
            | DropTable(n, ifExists) -> DropTable(this.Id n, ifExists)
            | DropIndex(n, ifExists) -> DropIndex(this.Id n, ifExists)
            | DropView(n, ifExists) -> DropView(this.Id n, ifExists)
            | CreateIndex i ->
                CreateIndex
                    { i with
                        Name = this.Id i.Name
                        Table = this.Id i.Table
                        Columns = i.Columns |> List.map (fun c -> { c with Column = this.Id c.Column; Span = none })
                        Span = none }
            | CreateView v -> CreateView { v with Name = this.Id v.Name; Columns = Option.map this.Ids v.Columns; Query = this.Query v.Query; Span = none }
            | AlterTable(t, action) ->
                let action =
                    match action with
                    | AddColumn col -> AddColumn(this.Column col)
                    | RenameColumn(a, b) -> RenameColumn(this.Id a, this.Id b)
                    | RenameTable n -> RenameTable(this.Id n)
                AlterTable(this.Id t, action)
            | Insert i ->
                let source =
                    match i.Source with
                    | ValuesSource rows -> ValuesSource(List.map (List.map this.Expr) rows)
                    | QuerySource q -> QuerySource(this.Query q)
                    | DefaultValues -> DefaultValues
                Insert
                    { Table = this.Id i.Table
                      Columns = Option.map this.Ids i.Columns
                      Source = source
                      Returning = List.map this.Item i.Returning
                      Span = none }
            | Update u ->
                Update
                    { Table = this.TableRef u.Table
                      Assignments = u.Assignments |> List.map (fun (c, e) -> this.Id c, this.Expr e)
                      From = List.map this.From u.From
                      Where = Option.map this.Expr u.Where
                      Returning = List.map this.Item u.Returning
                      Span = none }
            | Delete d ->
                Delete
                    { Table = this.TableRef d.Table
                      Where = Option.map this.Expr d.Where
                      Returning = List.map this.Item d.Returning
                      Span = none }
            | Begin
            | Commit
            | Rollback
            | Checkpoint as k -> k
            | Analyze t -> Analyze(Option.map this.Id t)
            | Explain(analyze, inner) -> Explain(analyze, this.Statement inner)
        { Kind = kind; Span = none }

/// The Ast without spans: what a round trip must preserve exactly.
let stripSpans (s: Statement) = Normaliser(false).Statement s

/// The Ast without spans or parentheses: what a round trip of a synthesised Ast must preserve
/// (the printer adds parentheses where the synthesised shape needs them).
let stripSpansAndParens (s: Statement) = Normaliser(true).Statement s

let private parse (sql: string) =
    match Parser.parseStatement sql with
    | Ok s -> s
    | Result.Error ds -> failwithf "printed SQL does not parse:\n%s" (ds |> List.map (DiagnosticRenderer.render "" sql) |> String.concat "\n")

// ---- generators ---------------------------------------------------------------------------------

let private noSpan = Span.None

let private genIdentifier =
    Gen.frequency
        [ 4, Gen.elements [ "a"; "b"; "c"; "t"; "x1"; "col_2"; "_u"; "key"; "Mixed"; "first"; "nulls" ] |> Gen.map (fun n -> { Name = n; Quoted = false; Span = noSpan })
          1, Gen.elements [ "A"; "select"; "x y"; "q\"q"; "semi;colon"; "--" ] |> Gen.map (fun n -> { Name = n; Quoted = true; Span = noSpan }) ]

let private genString =
    Gen.elements [ 'a'; 'Z'; ' '; '\''; '"'; ';'; '-'; '*'; '/'; '\n'; 'é'; '0'; '?' ]
    |> Gen.arrayOf
    |> Gen.map String

let private genLiteral =
    Gen.oneof
        [ Gen.choose (0, Int32.MaxValue) |> Gen.map (fun n -> IntegerLiteral(int64 n))
          Gen.elements [ 0L; 9L; Int64.MaxValue; int64 Int32.MaxValue + 1L ] |> Gen.map IntegerLiteral
          Gen.elements [ 0.0; 0.5; 1.0; 1e20; 2.5e-7; 123.456; 9.223372036854776E+18; Double.MaxValue ] |> Gen.map RealLiteral
          Gen.choose (0, 1000000) |> Gen.map (fun n -> RealLiteral(float n / 64.0))
          genString |> Gen.map StringLiteral
          Gen.elements [ BooleanLiteral true; BooleanLiteral false; NullLiteral ] ]

let private expr (kind: ExprKind) : Expr = { Kind = kind; Span = noSpan }

/// `l op r` as the builder makes it: a comparison is a Binary node, any other operator a Chain.
let private binary op l r =
    if BinaryOperator.chains op then expr (Chain(l, [ op, r ])) else expr (Binary(op, l, r))

let private allBinary =
    [ Add; Subtract; Multiply; Divide; Modulo; Concat; Equal; NotEqual; Less; LessOrEqual; Greater; GreaterOrEqual; And; Or ]

let private genType =
    Gen.elements [ "INTEGER", []; "int", []; "VARCHAR", [ 30 ]; "DECIMAL", [ 10; 2 ]; "DOUBLE PRECISION", []; "Text", [] ]
    |> Gen.map (fun (name, args) -> { Name = name; Arguments = args; Span = noSpan })

let private listOf1To (n: int) (g: Gen<'a>) = Gen.choose (1, n) |> Gen.bind (fun k -> Gen.listOfLength k g)

let private listOf0To (n: int) (g: Gen<'a>) = Gen.choose (0, n) |> Gen.bind (fun k -> Gen.listOfLength k g)

let private bools = Gen.elements [ true; false ]

let rec private stripParensKind (e: Expr) =
    match e.Kind with
    | Parenthesized a -> stripParensKind a
    | k -> k

/// `x IN ((SELECT ...))` reads as a subquery IN, so a one-item list never holds only a subquery.
let private inListItems (items: Expr list) =
    match items with
    | [ e ] when (match stripParensKind e with ScalarSubquery _ -> true | _ -> false) -> items @ [ expr (Literal(IntegerLiteral 1L)) ]
    | _ -> items

let rec private genExprSized (size: int) : Gen<Expr> =
    let leaf =
        Gen.frequency
            [ 3, genLiteral |> Gen.map (Literal >> expr)
              3, Gen.map2 (fun q n -> expr (ColumnRef(q, n))) (Gen.optionOf genIdentifier) genIdentifier
              1, Gen.choose (1, 12) |> Gen.map (Parameter >> expr)
              1, genIdentifier |> Gen.map (fun n -> expr (FunctionCall(n, [], false, true))) ]
    if size <= 0 then leaf
    else
        let sub = genExprSized (size / 2)
        let query = genQuerySized (size / 3)
        Gen.frequency
            [ 3, leaf
              2, Gen.map2 (fun op a -> expr (Unary(op, a))) (Gen.elements [ Negate; Identity; Not ]) sub
              5, Gen.map3 (fun op l r -> binary op l r) (Gen.elements allBinary) sub sub
              1, Gen.map2 (fun a negated -> expr (IsNull(a, negated))) sub bools
              1, Gen.map3 (fun a b negated -> expr (IsDistinctFrom(a, b, negated))) sub sub bools
              1, Gen.map3
                  (fun n args distinct -> expr (FunctionCall(n, args, distinct && not args.IsEmpty, false)))
                  genIdentifier
                  (listOf0To 3 sub)
                  bools
              1, Gen.map3
                  (fun operand whens elseResult -> expr (Case(operand, whens, elseResult)))
                  (Gen.optionOf sub)
                  (listOf1To 2 (Gen.zip sub sub))
                  (Gen.optionOf sub)
              1, Gen.map2 (fun a t -> expr (Cast(a, t))) sub genType
              1, Gen.zip (Gen.zip sub sub) (Gen.zip sub bools) |> Gen.map (fun ((a, lo), (hi, n)) -> expr (Between(a, lo, hi, n)))
              1, Gen.map3 (fun a items negated -> expr (InList(a, inListItems items, negated))) sub (listOf0To 3 sub) bools
              1, Gen.map3 (fun a q negated -> expr (InSubquery(a, q, negated))) sub query bools
              1, Gen.map2 (fun q negated -> expr (Exists(q, negated))) query bools
              1, query |> Gen.map (ScalarSubquery >> expr)
              1, Gen.zip (Gen.zip sub sub) (Gen.zip (Gen.optionOf sub) bools) |> Gen.map (fun ((a, p), (e, n)) -> expr (Like(a, p, e, n)))
              1, sub |> Gen.map (Parenthesized >> expr) ]

and private genItemsSized (size: int) =
    Gen.frequency
        [ 1, Gen.constant (AllColumns noSpan)
          1, genIdentifier |> Gen.map (fun t -> TableColumns(t, noSpan))
          4, Gen.map2 (fun e alias -> ExprItem(e, alias)) (genExprSized size) (Gen.optionOf genIdentifier) ]
    |> listOf1To 3

and private genTableRef = Gen.map2 (fun n alias -> { Name = n; Alias = alias; Span = noSpan }) genIdentifier (Gen.optionOf genIdentifier)

and private genFromSized (size: int) : Gen<FromItem> =
    let table = genTableRef |> Gen.map Table
    if size <= 0 then table
    else
        let sub = genFromSized (size / 2)
        let join =
            gen {
                let! kind = Gen.elements [ InnerJoin; LeftJoin; RightJoin; FullJoin; CrossJoin ]
                let! left = sub
                let! right = sub
                let! condition =
                    if kind = CrossJoin then Gen.constant NoCondition
                    else
                        Gen.frequency
                            [ 3, genExprSized (size / 2) |> Gen.map On
                              1, listOf1To 2 genIdentifier |> Gen.map Using
                              1, Gen.constant Natural
                              1, Gen.constant NoCondition ]
                return Join(kind, left, right, condition, noSpan)
            }
        Gen.frequency
            [ 3, table
              1, Gen.map3 (fun q alias columns -> Derived(q, alias, columns, noSpan)) (genQuerySized (size / 3)) genIdentifier (Gen.optionOf (listOf1To 2 genIdentifier))
              2, join ]

and private genSelectSized (size: int) : Gen<Select> =
    gen {
        let e = genExprSized (size / 2)
        let! distinct = bools
        let! items = genItemsSized (size / 2)
        let! from = listOf0To 2 (genFromSized (size / 2))
        let! where = Gen.optionOf e
        let! groupBy = listOf0To 2 e
        let! having = Gen.optionOf e
        return { Distinct = distinct; Items = items; From = from; Where = where; GroupBy = groupBy; Having = having; Span = noSpan }
    }

and private genBodySized (size: int) : Gen<QueryBody> =
    let select = genSelectSized size |> Gen.map Specification
    let values =
        gen {
            let! width = Gen.choose (1, 3)
            let! rows = listOf1To 2 (Gen.listOfLength width (genExprSized (size / 2)))
            return Values(rows, noSpan)
        }
    if size <= 1 then Gen.frequency [ 4, select; 1, values ]
    else
        Gen.frequency
            [ 4, select
              1, values
              2, Gen.zip (Gen.zip (Gen.elements [ Union; Intersect; Except ]) bools) (Gen.zip (genBodySized (size / 2)) (genBodySized (size / 2)))
                 |> Gen.map (fun ((op, all), (l, r)) -> SetOperation(op, all, l, r, noSpan))
              1, genQuerySized (size / 2) |> Gen.map Nested ]

and private genQuerySized (size: int) : Gen<Query> =
    gen {
        let e = genExprSized (size / 3)
        let! ctes =
            if size <= 2 then Gen.constant []
            else
                Gen.frequency
                    [ 4, Gen.constant []
                      1,
                      Gen.map3
                          (fun n cs q -> { Name = n; Columns = cs; Query = q; Span = noSpan })
                          genIdentifier
                          (Gen.optionOf (listOf1To 2 genIdentifier))
                          (genQuerySized (size / 3))
                      |> listOf1To 2 ]
        let! recursive = if ctes.IsEmpty then Gen.constant false else bools
        let! body = genBodySized size
        let! orderBy =
            Gen.map3 (fun e d n -> { Expr = e; Descending = d; NullsFirst = n; Span = noSpan }) e bools (Gen.optionOf bools)
            |> listOf0To 2
        let! limit = Gen.optionOf e
        let! offset = Gen.optionOf e
        return { With = ctes; Recursive = recursive; Body = body; OrderBy = orderBy; Limit = limit; Offset = offset; Span = noSpan }
    }

let private genExpr = Gen.sized (fun n -> genExprSized (min n 24))

let private statement (kind: StatementKind) : Statement = { Kind = kind; Span = noSpan }

let private genQuery = Gen.sized (fun n -> genQuerySized (min n 16))

let private genSmallExpr = Gen.sized (fun n -> genExprSized (min n 6))

let private genReturning = Gen.frequency [ 2, Gen.constant []; 1, genItemsSized 4 ]

let private genInsert =
    gen {
        let! table = genIdentifier
        let! columns = Gen.optionOf (listOf1To 3 genIdentifier)
        let! width = Gen.choose (1, 3)
        let! source =
            Gen.frequency
                [ 3, listOf1To 3 (Gen.listOfLength width genExpr) |> Gen.map ValuesSource
                  // A bare VALUES query reads back as ValuesSource; keep QuerySource for the other shapes.
                  1, genQuery |> Gen.map (fun q -> match q.Body with Values(rows, _) when isPlain q -> ValuesSource rows | _ -> QuerySource q)
                  1, Gen.constant DefaultValues ]
        let! returning = genReturning
        return statement (Insert { Table = table; Columns = columns; Source = source; Returning = returning; Span = noSpan })
    }

let private genReference =
    Gen.map3
        (fun t cs action -> { Table = t; Columns = cs; OnDelete = action; Span = noSpan })
        genIdentifier
        (listOf0To 2 genIdentifier)
        (Gen.elements [ NoAction; Restrict; Cascade; SetNull ])

let private genDefault =
    Gen.frequency
        [ 2, genLiteral |> Gen.map (Literal >> expr)
          1, Gen.map2 (fun op l -> expr (Unary(op, expr (Literal l)))) (Gen.elements [ Negate; Identity ]) genLiteral
          1, genSmallExpr |> Gen.map (Parenthesized >> expr)
          1, genSmallExpr ]

let private genColumn =
    gen {
        let! n = genIdentifier
        let! t = genType
        let! constraints =
            Gen.frequency
                [ 2, Gen.constant (PrimaryKeyConstraint noSpan)
                  2, Gen.constant (NotNullConstraint noSpan)
                  1, Gen.constant (UniqueConstraint noSpan)
                  1, genDefault |> Gen.map (fun e -> DefaultConstraint(e, noSpan))
                  1, genSmallExpr |> Gen.map (fun e -> CheckConstraint(e, noSpan))
                  1, genReference |> Gen.map ReferencesConstraint ]
            |> listOf0To 3
        return { Name = n; Type = t; Constraints = constraints; Span = noSpan }
    }

let private genCreate =
    gen {
        let! name = genIdentifier
        let! ifNotExists = bools
        let! columns = listOf1To 4 genColumn
        let! constraints =
            Gen.frequency
                [ 2, listOf1To 2 genIdentifier |> Gen.map (fun cs -> UniqueTableConstraint(cs, noSpan))
                  1, genSmallExpr |> Gen.map (fun e -> CheckTableConstraint(e, noSpan))
                  1, Gen.map2 (fun cs r -> ForeignKeyTableConstraint(cs, r, noSpan)) (listOf1To 2 genIdentifier) genReference ]
            |> listOf0To 2
        let! key = Gen.optionOf (listOf1To 2 genIdentifier |> Gen.map (fun cs -> PrimaryKeyTableConstraint(cs, noSpan)))
        return
            statement (
                CreateTable
                    { Name = name
                      IfNotExists = ifNotExists
                      Columns = columns
                      Constraints = Option.toList key @ constraints
                      Span = noSpan }
            )
    }

let private genDdl =
    Gen.oneof
        [ Gen.map2 (fun n e -> statement (DropTable(n, e))) genIdentifier bools
          Gen.map2 (fun n e -> statement (DropIndex(n, e))) genIdentifier bools
          Gen.map2 (fun n e -> statement (DropView(n, e))) genIdentifier bools
          gen {
              let! name = genIdentifier
              let! unique = bools
              let! ifNotExists = bools
              let! table = genIdentifier
              let! columns = listOf1To 3 (Gen.map2 (fun c d -> { Column = c; Descending = d; Span = noSpan }) genIdentifier bools)
              return statement (CreateIndex { Name = name; Unique = unique; IfNotExists = ifNotExists; Table = table; Columns = columns; Span = noSpan })
          }
          Gen.map4
              (fun n e cs q -> statement (CreateView { Name = n; IfNotExists = e; Columns = cs; Query = q; Span = noSpan }))
              genIdentifier
              bools
              (Gen.optionOf (listOf1To 2 genIdentifier))
              genQuery
          Gen.map2
              (fun t action -> statement (AlterTable(t, action)))
              genIdentifier
              (Gen.oneof
                  [ genColumn |> Gen.map AddColumn
                    Gen.map2 (fun a b -> RenameColumn(a, b)) genIdentifier genIdentifier
                    genIdentifier |> Gen.map RenameTable ]) ]

let private genDml =
    Gen.oneof
        [ gen {
              let! table = genTableRef
              let! assignments = listOf1To 3 (Gen.zip genIdentifier genExpr)
              let! from = listOf0To 2 (Gen.sized (fun n -> genFromSized (min n 8)))
              let! where = Gen.optionOf genExpr
              let! returning = genReturning
              return statement (Update { Table = table; Assignments = assignments; From = from; Where = where; Returning = returning; Span = noSpan })
          }
          Gen.map3
              (fun table where returning -> statement (Delete { Table = table; Where = where; Returning = returning; Span = noSpan }))
              genTableRef
              (Gen.optionOf genExpr)
              genReturning ]

let private genSimple =
    Gen.frequency
        [ 4, Gen.elements [ Begin; Commit; Rollback; Checkpoint ] |> Gen.map statement
          1, Gen.optionOf genIdentifier |> Gen.map (Analyze >> statement) ]

let private genStatement =
    let plain =
        Gen.frequency [ 6, genQuery |> Gen.map (Select >> statement); 2, genInsert; 1, genCreate; 2, genDdl; 2, genDml; 1, genSimple ]
    Gen.frequency [ 9, plain; 1, Gen.map2 (fun analyze s -> statement (Explain(analyze, s))) bools plain ]

// ---- shrinking ----------------------------------------------------------------------------------

let private literalNull = expr (Literal NullLiteral)

/// Smaller expressions: NULL, the node's own sub-expressions, then the node with one child shrunk.
let rec private shrinkExpr (e: Expr) : Expr seq =
    seq {
        match e.Kind with
        | Literal NullLiteral -> ()
        | _ -> yield literalNull
        let one (rebuild: Expr -> ExprKind) (child: Expr) = shrinkExpr child |> Seq.map (fun c -> expr (rebuild c))
        match e.Kind with
        | Unary(op, a) ->
            yield a
            yield! one (fun c -> Unary(op, c)) a
        | Binary(op, l, r) ->
            yield l
            yield r
            yield! one (fun c -> Binary(op, c, r)) l
            yield! one (fun c -> Binary(op, l, c)) r
        | Chain(first, rest) ->
            yield first
            yield! rest |> List.map snd
            yield! one (fun c -> Chain(c, rest)) first
        | IsNull(a, n) ->
            yield a
            yield! one (fun c -> IsNull(c, n)) a
        | IsDistinctFrom(a, b, n) ->
            yield a
            yield b
        | FunctionCall(_, args, _, _) -> yield! args
        | Case(operand, whens, elseResult) ->
            yield! Option.toList operand
            for w, t in whens do
                yield w
                yield t
            yield! Option.toList elseResult
        | Cast(a, _)
        | Parenthesized a ->
            yield a
            yield! shrinkExpr a
        | Between(a, lo, hi, _) -> yield! [ a; lo; hi ]
        | InList(a, items, _) ->
            yield a
            yield! items
        | Like(a, p, escape, _) ->
            yield! [ a; p ]
            yield! Option.toList escape
        | InSubquery(a, _, _) -> yield a
        | Literal _
        | ColumnRef _
        | Parameter _
        | Exists _
        | ScalarSubquery _ -> ()
    }

let private plainQuery (body: QueryBody) =
    { With = []; Recursive = false; Body = body; OrderBy = []; Limit = None; Offset = None; Span = noSpan }

/// Smaller queries: without each optional clause, then the body's parts.
let private shrinkQuery (q: Query) : Query seq =
    seq {
        if not q.With.IsEmpty then yield { q with With = []; Recursive = false }
        if not q.OrderBy.IsEmpty then yield { q with OrderBy = [] }
        if q.Limit.IsSome then yield { q with Limit = None }
        if q.Offset.IsSome then yield { q with Offset = None }
        match q.Body with
        | SetOperation(_, _, l, r, _) ->
            yield { q with Body = l }
            yield { q with Body = r }
        | Nested inner -> yield inner
        | Values(rows, s) when rows.Length > 1 -> yield { q with Body = Values([ rows.Head ], s) }
        | Specification s ->
            if s.Where.IsSome then yield { q with Body = Specification { s with Where = None } }
            if s.Having.IsSome then yield { q with Body = Specification { s with Having = None } }
            if not s.GroupBy.IsEmpty then yield { q with Body = Specification { s with GroupBy = [] } }
            if not s.From.IsEmpty then yield { q with Body = Specification { s with From = [] } }
            if s.Items.Length > 1 then yield { q with Body = Specification { s with Items = [ s.Items.Head ] } }
            for item in s.Items do
                match item with
                | ExprItem(e, alias) ->
                    for smaller in shrinkExpr e do
                        yield plainQuery (Specification { s with Items = [ ExprItem(smaller, alias) ] })
                | _ -> ()
        | Values _ -> ()
    }

let private shrinkStatement (s: Statement) : Statement seq =
    match s.Kind with
    | Select q -> shrinkQuery q |> Seq.map (Select >> statement)
    | Explain(_, inner) -> Seq.singleton inner
    | Insert({ Source = QuerySource q } as i) -> shrinkQuery q |> Seq.map (fun q -> statement (Insert { i with Source = QuerySource q }))
    | CreateView v -> shrinkQuery v.Query |> Seq.map (fun q -> statement (CreateView { v with Query = q }))
    | _ -> Seq.empty

let private config = Config.QuickThrowOnFailure.WithMaxTest(500)

let private check (gen: Gen<'a>) (shrink: 'a -> 'a seq) (property: 'a -> unit) =
    Check.One(config, Prop.forAll (Arb.fromGenShrink (gen, shrink)) property)

let private assertSame (expected: Statement) (actual: Statement) (sql: string) =
    if expected <> actual then failwithf "round trip changed the Ast.\nSQL: %s\nexpected: %A\nactual:   %A" sql expected actual

let private selectOf (e: Expr) =
    statement (
        Select(
            plainQuery (
                Specification
                    { Distinct = false
                      Items = [ ExprItem(e, None) ]
                      From = []
                      Where = None
                      GroupBy = []
                      Having = None
                      Span = noSpan }
            )
        )
    )

// ---- properties ---------------------------------------------------------------------------------

[<Fact>]
let ``generated expressions round trip through toSql`` () =
    check genExpr shrinkExpr (fun e ->
        let s = selectOf e
        let sql = AstPrinter.toSql s
        assertSame (stripSpansAndParens s) (stripSpansAndParens (parse sql)) sql)

[<Fact>]
let ``generated statements round trip through toSql`` () =
    check genStatement shrinkStatement (fun s ->
        let sql = AstPrinter.toSql s
        assertSame (stripSpansAndParens s) (stripSpansAndParens (parse sql)) sql)

[<Fact>]
let ``printing a parsed statement adds and loses no parentheses`` () =
    check genStatement shrinkStatement (fun s ->
        let parsed = parse (AstPrinter.toSql s)
        let sql = AstPrinter.toSql parsed
        assertSame (stripSpans parsed) (stripSpans (parse sql)) sql)

[<Fact>]
let ``printStatement and toJson accept every generated statement`` () =
    check genStatement shrinkStatement (fun s ->
        Assert.False(String.IsNullOrWhiteSpace(AstPrinter.printStatement s))
        Text.Json.JsonDocument.Parse(AstPrinter.toJson s).Dispose())

[<Fact>]
let ``synthesised trees get parentheses only where needed`` () =
    let c n = expr (ColumnRef(None, { Name = n; Quoted = false; Span = noSpan }))
    let bin op l r = binary op l r
    let sel e = AstPrinter.toSql (selectOf e)
    Assert.Equal("SELECT a + b * c", sel (bin Add (c "a") (bin Multiply (c "b") (c "c"))))
    Assert.Equal("SELECT (a + b) * c", sel (bin Multiply (bin Add (c "a") (c "b")) (c "c")))
    Assert.Equal("SELECT a - (b - c)", sel (bin Subtract (c "a") (bin Subtract (c "b") (c "c"))))
    Assert.Equal("SELECT (NOT a) = b", sel (bin Equal (expr (Unary(Not, c "a"))) (c "b")))
    Assert.Equal("SELECT NOT a = b", sel (expr (Unary(Not, bin Equal (c "a") (c "b")))))
    Assert.Equal("SELECT a IS NULL = b", sel (bin Equal (expr (IsNull(c "a", false))) (c "b")))
    Assert.Equal("SELECT x = (a IS NULL) || b", sel (bin Equal (c "x") (bin Concat (expr (IsNull(c "a", false))) (c "b"))))
    Assert.Equal("SELECT a * (NOT b) + c", sel (bin Add (bin Multiply (c "a") (expr (Unary(Not, c "b")))) (c "c")))
    Assert.Equal("SELECT a = NOT b", sel (bin Equal (c "a") (expr (Unary(Not, c "b")))))
    Assert.Equal("SELECT - -1", sel (expr (Unary(Negate, expr (Unary(Negate, expr (Literal(IntegerLiteral 1L))))))))
    Assert.Equal("SELECT -(a + b)", sel (expr (Unary(Negate, bin Add (c "a") (c "b")))))
    Assert.Equal("SELECT a BETWEEN b AND c AND d", sel (bin And (expr (Between(c "a", c "b", c "c", false))) (c "d")))
    Assert.Equal("SELECT a BETWEEN (b AND c) AND d", sel (expr (Between(c "a", bin And (c "b") (c "c"), c "d", false))))
    Assert.Equal("SELECT (a = b) IN (c)", sel (expr (InList(bin Equal (c "a") (c "b"), [ c "c" ], false))))
    Assert.Equal("SELECT a = b IN (c)", sel (bin Equal (c "a") (expr (InList(c "b", [ c "c" ], false)))))
    let selectOne =
        match (selectOf (expr (Literal(IntegerLiteral 1L)))).Kind with
        | Select q -> q
        | k -> failwithf "unexpected %A" k
    Assert.Equal("SELECT NOT (EXISTS (SELECT 1))", sel (expr (Unary(Not, expr (Exists(selectOne, false))))))
    Assert.Equal("SELECT (NOT EXISTS (SELECT 1)) = a", sel (bin Equal (expr (Exists(selectOne, true))) (c "a")))
    let union l r = SetOperation(Union, false, l, r, noSpan)
    let intersect l r = SetOperation(Intersect, false, l, r, noSpan)
    let one n = Values([ [ expr (Literal(IntegerLiteral n)) ] ], noSpan)
    let q body = AstPrinter.toSql (statement (Select(plainQuery body)))
    Assert.Equal("VALUES (1) UNION VALUES (2) INTERSECT VALUES (3)", q (union (one 1L) (intersect (one 2L) (one 3L))))
    Assert.Equal("(VALUES (1) UNION VALUES (2)) INTERSECT VALUES (3)", q (intersect (union (one 1L) (one 2L)) (one 3L)))
    Assert.Equal("VALUES (1) UNION (VALUES (2) UNION VALUES (3))", q (union (one 1L) (union (one 2L) (one 3L))))

// ---- handwritten fixpoints ----------------------------------------------------------------------

let private handwritten =
    [ "SELECT 1 + 1"
      "select a, b as \"B\", t.*, * from T x where not a = b and c is not null order by 1 + 2 * 3 desc, b limit 10 offset 5"
      "SELECT (a + b) * -c, ((1)), - -1, +2, 'it''s', \"q\"\"q\", TRUE, false, NULL FROM t"
      "SELECT count(*), COUNT(DISTINCT a), coalesce(a, b, 0), now() FROM t"
      "SELECT a || b = c, a = b IS NULL, a IS NULL = b, NOT a IS NULL, (NOT a) = b FROM t"
      "SELECT 1.5, .5, 2., 1e3, 2.5E-7, 9223372036854775807, 9223372036854775808"
      "SELECT a FROM t WHERE a % 2 = 0 OR a / 3 <> 1 AND a != 4 AND a == 5 AND a <= 6 AND a >= 0 AND a < 9 AND a > -9"
      "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, p DECIMAL(10, 2) NULL, r DOUBLE PRECISION, PRIMARY KEY (id, name))"
      "create table \"T\" (key int)"
      "DROP TABLE t"
      "DROP TABLE IF EXISTS \"Mixed Case\""
      "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, NULL), (3 * (4 + 5), 'a;b')"
      "INSERT INTO t VALUES (1)"
      "SELECT a -- comment\nFROM /* block */ t"
      "SELECT DISTINCT a, count(*) FROM t AS x JOIN u ON x.a = u.a LEFT JOIN v USING (b) CROSS JOIN w, (SELECT 1) AS d (one) WHERE a IN (1, 2) GROUP BY a HAVING count(*) > 1"
      "SELECT ALL a FROM t NATURAL JOIN u ORDER BY a DESC NULLS LAST, b NULLS FIRST LIMIT 1 OFFSET 2"
      "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r"
      "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL (SELECT 4 ORDER BY 1 LIMIT 1)"
      "VALUES (1, 'a'), (2, 'b')"
      "SELECT CASE WHEN a BETWEEN 1 AND 2 THEN 'x' WHEN a NOT LIKE 'y%' ESCAPE '!' THEN 'y' ELSE NULL END, CASE a WHEN 1 THEN 2 END FROM t"
      "SELECT CAST(a AS VARCHAR(30)), a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, NOT EXISTS (SELECT 1), (SELECT max(a) FROM t) FROM t"
      "SELECT - - + 79, NOT - col, a NOT IN (SELECT b FROM u), a IN (), ? + ? + $7 FROM tab0 WHERE col NOT BETWEEN 1 AND 2"
      "SELECT left('abc', 1), right('abc', 1), replace('a', 'b', 'c')"
      "CREATE TABLE t (a INT PRIMARY KEY DEFAULT -1 CHECK (a > 0) UNIQUE REFERENCES u (x) ON DELETE CASCADE, b TEXT NULL DEFAULT ('x' || 'y'), FOREIGN KEY (b) REFERENCES u ON DELETE SET NULL, UNIQUE (a, b), CHECK (a <> b))"
      "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a DESC, b)"
      "DROP INDEX IF EXISTS i"
      "CREATE VIEW IF NOT EXISTS v (x) AS SELECT a FROM t"
      "DROP VIEW v"
      "ALTER TABLE t ADD COLUMN c INT NOT NULL"
      "ALTER TABLE t RENAME COLUMN a TO b"
      "ALTER TABLE t RENAME TO u"
      "INSERT INTO t (a) SELECT b FROM u RETURNING *"
      "INSERT INTO t DEFAULT VALUES"
      "UPDATE t AS x SET a = 1, b = b + 1 FROM u WHERE x.a = u.a RETURNING a AS z"
      "DELETE FROM t WHERE a IS NULL RETURNING *"
      "BEGIN"
      "COMMIT"
      "ROLLBACK"
      "CHECKPOINT"
      "ANALYZE t"
      "EXPLAIN ANALYZE SELECT 1" ]

[<Fact>]
let ``print, parse, print is a fixpoint on handwritten SQL`` () =
    for sql in handwritten do
        let first = Parser.parseStatement sql |> Result.defaultWith (fun ds -> failwithf "%s: %A" sql ds)
        let printed = AstPrinter.toSql first
        let second = parse printed
        assertSame (stripSpans first) (stripSpans second) printed
        Assert.Equal(printed, AstPrinter.toSql second)

[<Fact>]
let ``printStatement and toJson are deterministic and cover every handwritten statement`` () =
    for sql in handwritten do
        let s = parse sql
        Assert.Equal(AstPrinter.printStatement s, AstPrinter.printStatement (parse sql))
        Assert.Equal(AstPrinter.toJson s, AstPrinter.toJson (parse sql))
        Assert.False(String.IsNullOrWhiteSpace(AstPrinter.printStatement s))
