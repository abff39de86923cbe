/// FsCheck generators and shrinkers for schemas, rows and queries in the subset of SQL where SQLite
/// and Foundry agree on the meaning, and the validity check that keeps shrunk queries in it.
/// Tables carry secondary indexes, and one select in six is a comma join of 4 to 8 tables (see
/// genWideSelect), so that the planner's access-path choices are exercised (issue 10).
///
/// What the generators stay away from, and why (these are semantic differences, not bugs):
/// - Division and `%`: Foundry raises an error on division by zero, SQLite answers NULL.
/// - Large numbers: integers are in -3..30 and expressions are shallow, so nothing overflows
///   (Foundry raises an error on overflow, SQLite switches to REAL).
/// - REAL values are multiples of 1/4, so sums and products are exact; AVG is compared within 1e-9.
/// - BOOLEAN columns and conditions as output values (SQLite has no booleans); conditions appear
///   only in WHERE, ON, HAVING, CASE WHEN.
/// - TEXT compared with numbers (a type error in Foundry; SQLite applies affinities).
/// - Scalar subqueries that could return several rows (SQLite takes the first, Foundry errors):
///   every scalar subquery is one aggregate without GROUP BY.
/// - Aggregates over outer columns inside a subquery (SQLite and PostgreSQL disagree on which query
///   such an aggregate belongs to).
/// - Bare columns beside aggregates and HAVING without GROUP BY (SQLite accepts both).
/// - INTERSECT after UNION or EXCEPT in one chain: Foundry gives INTERSECT the higher precedence
///   (as PostgreSQL and the standard do), SQLite reads the chain left to right.
/// - LIMIT without an ORDER BY over every output column (the rows it keeps are not determined).
/// - UPPER and LOWER of non-ASCII text: SQLite changes ASCII letters only, Foundry all letters
///   (as PostgreSQL does); a case with non-ASCII text generates neither (see `Ctx.Unicode`).
module Foundry.Differential.Tests.Generators

open FsCheck
open FsCheck.FSharp
open Foundry.Differential.Tests.Model

// =============================================================================================
// Known Foundry bugs: shapes the generators leave out until the bug is fixed. Each flag names the
// bug; Regressions.fs holds its minimal reproduction, which checks that the bug is still there
// while the flag is set (so a fix turns that test red until the flag is cleared, and the shape
// comes back into the property).
// =============================================================================================

/// The known bugs, by name. Set a flag to false once the bug is fixed.
module Exclusions =
    /// Bug 1: a GROUP BY expression with a constant part the optimizer folds (an INTEGER constant
    /// widened to REAL as in `r + 1` with r REAL, a signed literal as in `a + (-1)`, `1 + 1`, a
    /// CASE arm `WHEN 1 = 1`) no longer matches the identical select item or HAVING expression:
    /// FND1020 "column must appear in the GROUP BY clause or be used in an aggregate function".
    let groupKeyWithFoldableConstant = false

    /// Bug 2: a GROUP BY expression with a subquery inside (`CASE WHEN EXISTS (SELECT 1 FROM u)
    /// THEN a END`) rejects the identical select item or HAVING expression with FND1020; and
    /// bug 3: GROUP BY a correlated scalar subquery, selected as well, fails with an internal error
    /// ("column a#1 is not available to generated code").
    let groupKeyWithSubquery = false

    /// Bug 4: LENGTH and SUBSTR count UTF-16 code units, not characters: LENGTH('😀') is 2 and
    /// SUBSTR('😀b', 1, 1) is a lone surrogate (U+FFFD on output). Text beyond U+FFFF is left out.
    let supplementaryCharacters = false

    /// (flag name, the bug) for every flag above, printed by the property test.
    let all : (string * string) list =
        [ if groupKeyWithFoldableConstant then
              yield
                  "groupKeyWithFoldableConstant",
                  "bug 1: GROUP BY a + (-1) / r + 1 (r REAL) / CASE WHEN 1 = 1 THEN a END rejects the identical select item with FND1020"
          if groupKeyWithSubquery then
              yield
                  "groupKeyWithSubquery",
                  "bugs 2 and 3: GROUP BY an expression with a subquery: FND1020 on the identical select item, or an internal error for a correlated scalar subquery"
          if supplementaryCharacters then
              yield "supplementaryCharacters", "bug 4: LENGTH('😀') = 2 and SUBSTR splits surrogate pairs (UTF-16 code units counted)" ]

// =============================================================================================
// Values

let ints = [ -3L .. 9L ]

let reals = [ -1.5; -0.25; 0.0; 0.5; 1.0; 1.25; 2.0; 3.75 ]

let asciiTexts = [ ""; "a"; "A"; "b"; "B"; "ab"; "a b"; "ba"; "O'k"; "z"; "10"; "9" ]

/// Non-ASCII text: code-point order differs from UTF-16 order for characters beyond U+FFFF
/// (U+FF5A 'ｚ' < U+1F600), and LENGTH/SUBSTR count code points.
let unicodeTexts =
    [ "é"; "ｚ"; "aé"; "Ω" ]
    @ (if Exclusions.supplementaryCharacters then [] else [ "😀"; "a😀"; "😀b" ])

let texts (unicode: bool) = if unicode then asciiTexts @ unicodeTexts else asciiTexts

let genLit (unicode: bool) (ty: Ty) : Gen<Value> =
    match ty with
    | TInt -> Gen.elements ints |> Gen.map VInt
    | TReal -> Gen.elements reals |> Gen.map VReal
    | TText -> Gen.elements (texts unicode) |> Gen.map VText

let genValue (unicode: bool) (ty: Ty) : Gen<Value> =
    Gen.frequency [ 4, genLit unicode ty; 1, Gen.constant VNull ]

// =============================================================================================
// Schema and rows

let genTable (unicode: bool) (name: string) : Gen<Table> =
    gen {
        let! n = Gen.choose (1, 4)
        let! tys = Gen.listOfLength n (Gen.elements [ TInt; TInt; TReal; TText; TText ])
        let! pk = Gen.frequency [ 2, Gen.constant false; 1, Gen.constant true ]
        let tys = if pk then TInt :: List.tail tys else tys
        let columns = tys |> List.mapi (fun i t -> { Name = sprintf "c%d" i; Ty = t; Pk = pk && i = 0 })
        let! rowCount = Gen.choose (0, 15)
        let! keys = Gen.shuffle [ -3L .. 30L ] |> Gen.map (Seq.truncate rowCount >> List.ofSeq)
        let! rows =
            Gen.listOfLength rowCount (columns |> List.map (fun c -> genValue unicode c.Ty) |> Gen.sequenceToList)
        let rows =
            if pk then List.map2 (fun k (r: Value list) -> VInt k :: List.tail r) keys rows else rows
        // Secondary indexes as the sqllogictest "index" files make them: on about half the non-key
        // columns, sometimes on two columns (the planner then seeks on the leading one).
        let keyless = columns |> List.filter (fun c -> not c.Pk) |> List.map (fun c -> c.Name)
        let! single = keyless |> List.map (fun c -> Gen.elements [ None; Some [ c ] ]) |> Gen.sequenceToList
        let! pair =
            match keyless with
            | a :: b :: _ -> Gen.frequency [ 3, Gen.constant None; 1, Gen.constant (Some [ b; a ]) ]
            | _ -> Gen.constant None
        let indexes = List.choose id single @ Option.toList pair
        return { Name = name; Columns = columns; Rows = rows; Indexes = indexes }
    }

let genTables (unicode: bool) : Gen<Table list> =
    gen {
        let! n = Gen.choose (2, 4)
        return! [ for i in 0 .. n - 1 -> genTable unicode (sprintf "t%d" i) ] |> Gen.sequenceToList
    }

// =============================================================================================
// Expressions and conditions

/// Where an expression is generated: the tables in scope at this level, those of the enclosing
/// queries (for correlation), and, in a grouped select's items and HAVING, the GROUP BY keys.
type Ctx =
    { Schema: Table list
      Local: (string * Table) list
      Outer: (string * Table) list
      /// 0 for the top-level select; subqueries are one deeper and use their own alias letter.
      Level: int
      Keys: Expr list option
      /// Non-ASCII text in this case: no UPPER or LOWER.
      Unicode: bool }

let columnsOf (ty: Ty) (scope: (string * Table) list) =
    [ for a, t in scope do
          for c in t.Columns do
              if c.Ty = ty then
                  yield Col(a, c.Name, ty) ]

let anyTy = Gen.elements [ TInt; TInt; TReal; TText; TText ]

let genCmpOp = Gen.elements [ Eq; Eq; Ne; Lt; Le; Gt; Ge ]

let numericPeer (ty: Ty) =
    if ty = TText then Gen.constant TText else Gen.elements [ TInt; TInt; TReal ]

let rec genExpr (ctx: Ctx) (ty: Ty) (depth: int) : Gen<Expr> =
    let leaf = genLeaf ctx ty
    if depth <= 0 then
        leaf
    else
        let sub t = genExpr ctx t (depth - 1)
        let caseGen =
            gen {
                let! arms = Gen.choose (1, 2)
                let! arms = Gen.listOfLength arms (Gen.zip (genPred ctx (depth - 1)) (sub ty))
                let! els = Gen.optionOf (sub ty)
                return Case(arms, els)
            }
        let composite =
            match ty with
            | TInt ->
                [ 3, Gen.map3 (fun op a b -> Arith(op, a, b)) (Gen.elements [ Add; Sub; Mul ]) (sub TInt) (sub TInt)
                  1, Gen.map Neg (sub TInt)
                  1, Gen.map (fun a -> Fn("ABS", [ a ], TInt)) (sub TInt)
                  1, Gen.map (fun a -> Fn("LENGTH", [ a ], TInt)) (sub TText)
                  1, Gen.map2 (fun a b -> Fn("COALESCE", [ a; b ], TInt)) (sub TInt) (sub TInt)
                  2, caseGen ]
            | TReal ->
                [ 3,
                  gen {
                      let! op = Gen.elements [ Add; Sub; Mul ]
                      let! a = sub TReal
                      let! b = sub TInt
                      let! swap = Gen.elements [ true; false ]
                      return if swap then Arith(op, b, a) else Arith(op, a, b)
                  }
                  1, Gen.map Neg (sub TReal)
                  1, Gen.map (fun a -> Fn("ABS", [ a ], TReal)) (sub TReal)
                  1, Gen.map2 (fun a b -> Fn("COALESCE", [ a; b ], TReal)) (sub TReal) (sub TReal)
                  2, caseGen ]
            | TText ->
                [ 3, Gen.map2 (fun a b -> Concat(a, b)) (sub TText) (sub TText)
                  (if ctx.Unicode then 0 else 1), Gen.map (fun a -> Fn("UPPER", [ a ], TText)) (sub TText)
                  (if ctx.Unicode then 0 else 1), Gen.map (fun a -> Fn("LOWER", [ a ], TText)) (sub TText)
                  1,
                  gen {
                      let! a = sub TText
                      let! start = Gen.choose (1, 3)
                      let! len = Gen.choose (0, 3)
                      return Fn("SUBSTR", [ a; Lit(VInt(int64 start), TInt); Lit(VInt(int64 len), TInt) ], TText)
                  }
                  1, Gen.map2 (fun a b -> Fn("COALESCE", [ a; b ], TText)) (sub TText) (sub TText)
                  2, caseGen ]
        let scalar =
            if ctx.Keys.IsNone && ctx.Level < 2 then [ 1, genScalarSub ctx ty ] else []
        Gen.frequency ([ 6, leaf ] @ composite @ scalar)

/// A column (of this level or, rarely, an enclosing one), a GROUP BY key or an aggregate in a
/// grouped context, or a literal.
and genLeaf (ctx: Ctx) (ty: Ty) : Gen<Expr> =
    let lit = Gen.map (fun v -> Lit(v, ty)) (genLit ctx.Unicode ty)
    match ctx.Keys with
    | None ->
        let local = columnsOf ty ctx.Local
        let outer = columnsOf ty ctx.Outer
        Gen.frequency
            [ if not local.IsEmpty then yield 8, Gen.elements local
              if not outer.IsEmpty then yield 3, Gen.elements outer
              yield 2, lit ]
    | Some keys ->
        let keys = keys |> List.filter (fun k -> typeOf k = ty)
        Gen.frequency
            [ if not keys.IsEmpty then yield 4, Gen.elements keys
              yield 5, genAggregate { ctx with Keys = None } ty
              yield 1, lit ]

/// An aggregate of type `ty` over row-level expressions of the context.
and genAggregate (rowCtx: Ctx) (ty: Ty) : Gen<Expr> =
    // Level 2: no subqueries inside an aggregate's argument.
    let arg t = genExpr { rowCtx with Outer = []; Level = 2 } t 1
    let distinct = Gen.frequency [ 4, Gen.constant false; 1, Gen.constant true ]
    match ty with
    | TInt ->
        Gen.frequency
            [ 2, Gen.constant (Agg(Count, false, None))
              2, Gen.map2 (fun d a -> Agg(Count, d, Some a)) distinct (anyTy |> Gen.bind arg)
              2, Gen.map2 (fun d a -> Agg(Sum, d, Some a)) distinct (arg TInt)
              2, Gen.map2 (fun f a -> Agg(f, false, Some a)) (Gen.elements [ Min; Max ]) (arg TInt) ]
    | TReal ->
        Gen.frequency
            [ 2, Gen.map2 (fun d a -> Agg(Avg, d, Some a)) distinct (Gen.elements [ TInt; TReal ] |> Gen.bind arg)
              2, Gen.map2 (fun d a -> Agg(Sum, d, Some a)) distinct (arg TReal)
              2, Gen.map2 (fun f a -> Agg(f, false, Some a)) (Gen.elements [ Min; Max ]) (arg TReal) ]
    | TText -> Gen.map2 (fun f a -> Agg(f, false, Some a)) (Gen.elements [ Min; Max ]) (arg TText)

and genPred (ctx: Ctx) (depth: int) : Gen<Pred> =
    let e ty = genExpr ctx ty (if depth > 0 then 1 else 0)
    let cmp =
        gen {
            let! ty = anyTy
            let! op = genCmpOp
            let! a = e ty
            let! peer = numericPeer ty
            let! b = Gen.frequency [ 12, e peer; 1, Gen.constant (Lit(VNull, peer)) ]
            return Cmp(op, a, b)
        }
    let atoms =
        [ 8, cmp
          2, gen {
              let! ty = anyTy
              let! a = e ty
              let! n = Gen.elements [ false; true ]
              return IsNull(a, n)
          }
          2, gen {
              let! ty = anyTy
              let! a = e ty
              let! peer = numericPeer ty
              let! lo = e peer
              let! hi = e peer
              let! n = Gen.elements [ false; false; true ]
              return Between(a, lo, hi, n)
          }
          2, gen {
              let! ty = anyTy
              let! a = e ty
              let! peer = numericPeer ty
              let! k = Gen.choose (1, 4)
              let! xs = Gen.listOfLength k (Gen.frequency [ 8, e peer; 1, Gen.constant (Lit(VNull, peer)) ])
              let! n = Gen.elements [ false; false; true ]
              return InList(a, xs, n)
          } ]
    let subqueries =
        if ctx.Keys.IsNone && ctx.Level < 2 then
            [ 2, gen {
                  let! ty = anyTy
                  let! a = e ty
                  let! peer = numericPeer ty
                  let! s = genSubSelect ctx (fun inner -> genExpr inner peer 0)
                  let! n = Gen.elements [ false; false; true ]
                  return InSub(a, s, n)
              }
              2, gen {
                  let! s = genSubSelect ctx (fun inner -> Gen.elements ((columnsOf TInt inner.Local) @ [ Lit(VInt 1L, TInt) ]))
                  let! n = Gen.elements [ false; true ]
                  return Exists(s, n)
              } ]
        else
            []
    if depth <= 0 then
        Gen.frequency (atoms @ subqueries)
    else
        let sub = genPred ctx (depth - 1)
        Gen.frequency (
            atoms
            @ subqueries
            @ [ 3, Gen.map2 (fun a b -> And(a, b)) sub sub
                2, Gen.map2 (fun a b -> Or(a, b)) sub sub
                1, Gen.map Not sub ]
        )

/// A one-table subquery one level down, correlated when its WHERE uses an enclosing column.
and genSubSelect (ctx: Ctx) (item: Ctx -> Gen<Expr>) : Gen<Select> =
    gen {
        // Often over a table of this level: `col3 IN (SELECT col0 FROM tab1 ...)` over tab1 itself,
        // with both columns indexed, is the shape that once made a covering scan fail under a join.
        let here = ctx.Local |> List.map snd
        let! table = Gen.frequency [ 2, Gen.elements ctx.Schema; (if here.IsEmpty then 0 else 1), Gen.elements (if here.IsEmpty then ctx.Schema else here) ]
        let alias = sprintf "%c%d" (char (int 'a' + ctx.Level + 1)) 0
        let inner =
            { ctx with
                Local = [ alias, table ]
                Outer = ctx.Local @ ctx.Outer
                Level = ctx.Level + 1
                Keys = None }
        let! where = Gen.frequency [ 1, Gen.constant None; 4, Gen.map Some (genPred inner 1) ]
        let! it = item inner
        let! distinct = Gen.frequency [ 4, Gen.constant false; 1, Gen.constant true ]
        return
            { Distinct = distinct && not (hasAggregate it)
              From = table.Name, alias
              Joins = []
              Where = where
              GroupBy = []
              Items = [ it ]
              Having = None }
    }

/// `(SELECT agg(...) FROM t b0 WHERE ...)`: always exactly one row.
and genScalarSub (ctx: Ctx) (ty: Ty) : Gen<Expr> =
    genSubSelect ctx (fun inner -> genAggregate { inner with Outer = [] } ty) |> Gen.map Scalar

/// Whether the expression has no column and no aggregate (a constant the optimizer may fold).
let rec private constant (e: Expr) =
    match e with
    | Col _
    | Agg _
    | Scalar _ -> false
    | Lit _ -> true
    | Arith(_, a, b)
    | Concat(a, b) -> constant a && constant b
    | Neg a -> constant a
    | Fn(_, args, _) -> List.forall constant args
    | Case _ -> false

/// Whether an INTEGER constant is widened to REAL somewhere in the expression (bug 1).
let rec widensIntConstant (e: Expr) : bool =
    let intConst x = typeOf x = TInt && constant x
    let mixes (xs: Expr list) =
        List.exists (fun x -> typeOf x = TReal) xs && List.exists intConst xs
    match e with
    | Col _
    | Lit _
    | Scalar _ -> false
    | Arith(_, a, b) -> mixes [ a; b ] || widensIntConstant a || widensIntConstant b
    | Concat(a, b) -> widensIntConstant a || widensIntConstant b
    | Neg a -> widensIntConstant a
    | Fn(_, args, _) -> mixes args || List.exists widensIntConstant args
    | Agg(_, _, a) -> a |> Option.exists widensIntConstant
    | Case(arms, els) ->
        mixes ((arms |> List.map snd) @ Option.toList els)
        || arms |> List.exists (fun (p, v) -> predWidensIntConstant p || widensIntConstant v)
        || els |> Option.exists widensIntConstant

and predWidensIntConstant (p: Pred) : bool =
    let intConst x = typeOf x = TInt && constant x
    let mixes (xs: Expr list) =
        List.exists (fun x -> typeOf x = TReal) xs && List.exists intConst xs
    match p with
    | Cmp(_, a, b) -> mixes [ a; b ] || widensIntConstant a || widensIntConstant b
    | And(a, b)
    | Or(a, b) -> predWidensIntConstant a || predWidensIntConstant b
    | Not a -> predWidensIntConstant a
    | IsNull(a, _) -> widensIntConstant a
    | Between(a, b, c, _) -> mixes [ a; b; c ] || List.exists widensIntConstant [ a; b; c ]
    | InList(a, xs, _) -> mixes (a :: xs) || List.exists widensIntConstant (a :: xs)
    | InSub(a, _, _) -> widensIntConstant a
    | Exists _
    | AlwaysTrue -> false

/// Whether the expression has a part constant folding rewrites (bug 1): a widened INTEGER constant,
/// a negative literal (rendered with a sign), a constant composite, a constant condition.
let rec hasFoldablePart (e: Expr) : bool =
    widensIntConstant e
    || (match e with
        | Lit(VInt n, _) -> n < 0L
        | Lit(VReal r, _) -> r < 0.0
        | Lit _
        | Col _
        | Scalar _ -> false
        | Arith(_, a, b)
        | Concat(a, b) -> constant e || hasFoldablePart a || hasFoldablePart b
        | Neg a -> constant e || hasFoldablePart a
        | Fn(_, args, _) -> constant e || List.exists hasFoldablePart args
        | Agg(_, _, a) -> a |> Option.exists hasFoldablePart
        | Case(arms, els) ->
            arms |> List.exists (fun (p, v) -> predHasFoldablePart p || hasFoldablePart v)
            || els |> Option.exists hasFoldablePart)

and predHasFoldablePart (p: Pred) : bool =
    let parts =
        match p with
        | Cmp(_, a, b) -> [ a; b ]
        | IsNull(a, _) -> [ a ]
        | Between(a, b, c, _) -> [ a; b; c ]
        | InList(a, xs, _) -> a :: xs
        | InSub(a, _, _) -> [ a ]
        | _ -> []
    predWidensIntConstant p
    || (match p with
        | AlwaysTrue -> true
        | And(a, b)
        | Or(a, b) -> predHasFoldablePart a || predHasFoldablePart b
        | Not a -> predHasFoldablePart a
        | Exists _ -> false
        | InSub _ -> List.exists hasFoldablePart parts
        | _ -> List.forall constant parts || List.exists hasFoldablePart parts)

let rec hasSubquery (e: Expr) : bool =
    match e with
    | Scalar _ -> true
    | Col _
    | Lit _ -> false
    | Arith(_, a, b)
    | Concat(a, b) -> hasSubquery a || hasSubquery b
    | Neg a -> hasSubquery a
    | Fn(_, args, _) -> List.exists hasSubquery args
    | Agg(_, _, a) -> a |> Option.exists hasSubquery
    | Case(arms, els) ->
        arms |> List.exists (fun (p, v) -> predHasSubquery p || hasSubquery v)
        || els |> Option.exists hasSubquery

and predHasSubquery (p: Pred) : bool =
    match p with
    | InSub _
    | Exists _ -> true
    | Cmp(_, a, b) -> hasSubquery a || hasSubquery b
    | And(a, b)
    | Or(a, b) -> predHasSubquery a || predHasSubquery b
    | Not a -> predHasSubquery a
    | IsNull(a, _) -> hasSubquery a
    | Between(a, b, c, _) -> List.exists hasSubquery [ a; b; c ]
    | InList(a, xs, _) -> List.exists hasSubquery (a :: xs)
    | AlwaysTrue -> false

/// Whether a GROUP BY key has a shape one of the Exclusions leaves out.
let excludedKey (k: Expr) =
    (Exclusions.groupKeyWithFoldableConstant && hasFoldablePart k)
    || (Exclusions.groupKeyWithSubquery && hasSubquery k)

/// Whether a select has a shape one of the Exclusions leaves out.
let excluded (s: Select) = s.GroupBy |> List.exists excludedKey

// =============================================================================================
// Selects and queries

let private equalityBetween (left: (string * Table) list) (alias: string, table: Table) : Gen<Pred> =
    gen {
        let! ty = anyTy
        let mine = columnsOf ty [ alias, table ]
        let theirs = columnsOf ty left @ (if ty = TText then [] else columnsOf (if ty = TInt then TReal else TInt) left)
        if mine.IsEmpty || theirs.IsEmpty then
            let! a = Gen.elements (columnsOf TInt [ alias, table ] @ [ Lit(VInt 1L, TInt) ])
            let! b = Gen.elements (columnsOf TInt left @ [ Lit(VInt 1L, TInt) ])
            return Cmp(Eq, a, b)
        else
            let! a = Gen.elements mine
            let! b = Gen.elements theirs
            return Cmp(Eq, a, b)
    }

/// A select of 1-3 tables at level 0; `itemTys` fixes the output types (for set-operation branches).
let genSelect (unicode: bool) (schema: Table list) (itemTys: Ty list option) : Gen<Select> =
    gen {
        let! tableCount = Gen.frequency [ 4, Gen.constant 1; 4, Gen.constant 2; 2, Gen.constant 3 ]
        let! tables = Gen.listOfLength tableCount (Gen.elements schema)
        let scope = tables |> List.mapi (fun i t -> sprintf "a%d" i, t)
        let ctxFor s = { Schema = schema; Local = s; Outer = []; Level = 0; Keys = None; Unicode = unicode }
        let mutable joins = []
        let mutable extraWhere = []
        // Where the current comma-separated FROM item starts: an ON sees only the tables of its own
        // item (`FROM a, b JOIN c ON a.x = c.x` is an error in Foundry, as in PostgreSQL).
        let mutable itemStart = 0
        for i in 1 .. tableCount - 1 do
            let here = scope.[i]
            let! kind = Gen.elements [ Inner; Inner; LeftOuter; LeftOuter; Cross; Comma; Comma ]
            if kind = Comma then itemStart <- i
            let left = if kind = Comma then List.take i scope else scope.[itemStart .. i - 1]
            let! eq = equalityBetween left here
            let! extra = Gen.frequency [ 3, Gen.constant None; 1, Gen.map Some (genPred (ctxFor (left @ [ here ])) 0) ]
            let cond = match extra with Some p -> And(eq, p) | None -> eq
            match kind with
            | Inner
            | LeftOuter -> joins <- joins @ [ { Kind = kind; Table = (snd here).Name; Alias = fst here; On = Some cond } ]
            | Cross -> joins <- joins @ [ { Kind = Cross; Table = (snd here).Name; Alias = fst here; On = None } ]
            | Comma ->
                joins <- joins @ [ { Kind = Comma; Table = (snd here).Name; Alias = fst here; On = None } ]
                extraWhere <- extraWhere @ [ eq ]
        let ctx = ctxFor scope
        let! where = Gen.frequency [ 2, Gen.constant None; 3, Gen.map Some (genPred ctx 2) ]
        let where =
            match extraWhere @ Option.toList where with
            | [] -> None
            | ps -> Some(List.reduce (fun a b -> And(a, b)) ps)
        let! grouped = Gen.frequency [ 7, Gen.constant false; 3, Gen.constant true ]
        let! count = Gen.choose (1, 3)
        let! tys =
            match itemTys with
            | Some tys -> Gen.constant tys
            | None -> Gen.listOfLength count anyTy
        if grouped then
            let! keyCount = Gen.frequency [ 1, Gen.constant 0; 3, Gen.constant 1; 2, Gen.constant 2 ]
            let! keys =
                Gen.listOfLength keyCount (anyTy |> Gen.bind (fun t -> Gen.frequency [ 4, genLeaf ctx t; 1, genExpr ctx t 1 ]))
            // A bare literal in GROUP BY is an output position in SQLite (and PostgreSQL), and SQLite
            // treats any constant term, such as (- 0), the same way: keys must read a column.
            let keys = keys |> List.filter (constant >> not) |> List.distinct
            let keys =
                keys |> List.filter (excludedKey >> not)
            let gctx = { ctx with Keys = Some keys }
            let! items = tys |> List.map (fun t -> genExpr gctx t 1) |> Gen.sequenceToList
            let! having =
                if keys.IsEmpty then Gen.constant None
                else Gen.frequency [ 3, Gen.constant None; 2, Gen.map Some (genPred gctx 1) ]
            let! distinct = Gen.frequency [ 5, Gen.constant false; 1, Gen.constant true ]
            return
                { Distinct = distinct
                  From = (snd scope.Head).Name, fst scope.Head
                  Joins = joins
                  Where = where
                  GroupBy = keys
                  Items = items
                  Having = having }
        else
            let! items = tys |> List.map (fun t -> genExpr ctx t 1) |> Gen.sequenceToList
            // An aggregate that slipped in through a CASE arm would make the select grouped.
            let items = items |> List.map (fun e -> if hasAggregate e then Lit(VInt 1L, TInt) else e)
            let! distinct = Gen.frequency [ 4, Gen.constant false; 1, Gen.constant true ]
            return
                { Distinct = distinct
                  From = (snd scope.Head).Name, fst scope.Head
                  Joins = joins
                  Where = where
                  GroupBy = []
                  Items = items
                  Having = None }
    }

/// A single-column condition a key or index can answer: `col IN (constants)`, `col op constant` or
/// `col BETWEEN constants`, over one of the aliases in `scope`.
let private genColumnFilter (unicode: bool) (scope: (string * Table) list) : Gen<Pred> =
    gen {
        let! alias, table = Gen.elements scope
        let! column = Gen.elements table.Columns
        let col = Col(alias, column.Name, column.Ty)
        let lit = genLit unicode column.Ty |> Gen.map (fun v -> Lit(v, column.Ty))
        let! kind = Gen.elements [ 0; 0; 1; 1; 2 ]
        match kind with
        | 0 ->
            let! k = Gen.choose (1, 4)
            let! xs = Gen.listOfLength k lit
            let! n = Gen.elements [ false; false; false; true ]
            return InList(col, xs, n)
        | 1 ->
            let! op = genCmpOp
            let! v = lit
            return Cmp(op, col, v)
        | _ ->
            let! lo = lit
            let! hi = lit
            return Between(col, lo, hi, false)
    }

/// Joins `here` to one of the `left` aliases by an equality of comparable columns or, when their
/// types do not meet, pins it with an equality to a constant: either way no alias is left
/// unconstrained, so a join of eight 15-row tables stays small.
let private linkTo (unicode: bool) (left: (string * Table) list) (alias: string, table: Table) : Gen<Pred> =
    let family t = if t = TText then TText else TInt
    let pairs =
        [ for c in table.Columns do
              for a, t in left do
                  for d in t.Columns do
                      if family c.Ty = family d.Ty then
                          yield Cmp(Eq, Col(alias, c.Name, c.Ty), Col(a, d.Name, d.Ty)) ]
    if pairs.IsEmpty then
        gen {
            let! c = Gen.elements table.Columns
            let! v = genLit unicode c.Ty
            return Cmp(Eq, Col(alias, c.Name, c.Ty), Lit(v, c.Ty))
        }
    else
        Gen.elements pairs

/// `SELECT ... FROM t a0, t a1, ... (4 to 8 tables) WHERE <a link for every table> AND <IN lists
/// and comparisons on single columns> [AND <a condition>]`: the comma joins of the sqllogictest
/// "index" files, where the planner chooses key and index seeks for many scans of one join.
let genWideSelect (unicode: bool) (schema: Table list) (itemTys: Ty list option) : Gen<Select> =
    gen {
        let! n = Gen.choose (4, 8)
        let! tables = Gen.listOfLength n (Gen.elements schema)
        let scope = tables |> List.mapi (fun i t -> sprintf "a%d" i, t)
        let! links = [ for i in 1 .. n - 1 -> linkTo unicode (List.take i scope) scope.[i] ] |> Gen.sequenceToList
        let! filterCount = Gen.choose (0, 3)
        let! filters = Gen.listOfLength filterCount (genColumnFilter unicode scope)
        let ctx = { Schema = schema; Local = scope; Outer = []; Level = 0; Keys = None; Unicode = unicode }
        let! extra = Gen.frequency [ 3, Gen.constant []; 1, Gen.map List.singleton (genPred ctx 0) ]
        let! count = Gen.choose (1, 3)
        let! tys =
            match itemTys with
            | Some tys -> Gen.constant tys
            | None -> Gen.listOfLength count anyTy
        let! items = tys |> List.map (fun t -> genExpr ctx t 0) |> Gen.sequenceToList
        let! distinct = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
        return
            { Distinct = distinct
              From = (snd scope.Head).Name, fst scope.Head
              Joins = scope.Tail |> List.map (fun (a, t) -> { Kind = Comma; Table = t.Name; Alias = a; On = None })
              Where = Some(List.reduce (fun a b -> And(a, b)) (links @ filters @ extra))
              GroupBy = []
              Items = items
              Having = None }
    }

let genQuery (unicode: bool) (schema: Table list) : Gen<Query> =
    gen {
        let! first = Gen.frequency [ 5, genSelect unicode schema None; 1, genWideSelect unicode schema None ]
        let tys = first.Items |> List.map typeOf
        let! branches = Gen.frequency [ 8, Gen.constant 0; 2, Gen.constant 1; 1, Gen.constant 2 ]
        let mutable rest = []
        for _ in 1 .. branches do
            // INTERSECT only while every operator before it is INTERSECT (see the header).
            let allIntersect = rest |> List.forall (fun (op, _) -> op = Intersect)
            let! op = Gen.elements ([ Union; UnionAll; Except ] @ (if allIntersect then [ Intersect ] else []))
            // A branch may answer REAL where the first answers INTEGER (and back): both engines compare
            // the values numerically, Foundry types the column REAL.
            let! branchTys =
                tys
                |> List.map (fun t ->
                    if t = TText then Gen.constant t
                    else Gen.frequency [ 4, Gen.constant t; 1, Gen.elements [ TInt; TReal ] ])
                |> Gen.sequenceToList
            let! s = genSelect unicode schema (Some branchTys)
            rest <- rest @ [ op, s ]
        let n = tys.Length
        let! mode = Gen.elements [ 0; 1; 2; 3 ]
        let dir = Gen.zip (Gen.elements [ false; false; true ]) (Gen.frequency [ 5, Gen.constant None; 1, Gen.elements [ Some true; Some false ] ])
        let allColumns =
            gen {
                let! perm = Gen.shuffle [ 1..n ]
                let! dirs = Gen.listOfLength n dir
                return List.map2 (fun p (d, nl) -> { Position = p; Desc = d; Nulls = nl }) (List.ofArray perm) dirs
            }
        match mode with
        | 0 -> return { First = first; Rest = rest; OrderBy = []; Limit = None }
        | 1 ->
            let! order = allColumns
            return { First = first; Rest = rest; OrderBy = order; Limit = None }
        | 2 ->
            let! order = allColumns
            let! limit = Gen.choose (0, 6)
            let! offset = Gen.optionOf (Gen.choose (0, 4))
            return { First = first; Rest = rest; OrderBy = order; Limit = Some(limit, offset) }
        | _ ->
            let! p = Gen.choose (1, n)
            let! d, nl = dir
            return { First = first; Rest = rest; OrderBy = [ { Position = p; Desc = d; Nulls = nl } ]; Limit = None }
    }

let queriesPerCase = 5

/// A schema with its rows and `queries` queries over it.
let genCaseOf (queries: int) : Gen<Case> =
    gen {
        let! unicode = Gen.frequency [ 2, Gen.constant false; 1, Gen.constant true ]
        let! tables = genTables unicode
        let! queries = Gen.listOfLength queries (genQuery unicode tables)
        return { Tables = tables; Queries = queries }
    }

let genCase : Gen<Case> = genCaseOf queriesPerCase

// =============================================================================================
// Validity: what a shrunk candidate must still satisfy to be meaningful on both engines.

let rec private exprAliases (e: Expr) : string list =
    match e with
    | Col(a, _, _) -> [ a ]
    | Lit _ -> []
    | Arith(_, a, b)
    | Concat(a, b) -> exprAliases a @ exprAliases b
    | Neg a -> exprAliases a
    | Fn(_, args, _) -> List.collect exprAliases args
    | Case(arms, els) ->
        (arms |> List.collect (fun (p, v) -> predAliases p @ exprAliases v))
        @ (els |> Option.map exprAliases |> Option.defaultValue [])
    | Agg(_, _, a) -> a |> Option.map exprAliases |> Option.defaultValue []
    | Scalar s -> selectFreeAliases s

and private predAliases (p: Pred) : string list =
    match p with
    | Cmp(_, a, b) -> exprAliases a @ exprAliases b
    | And(a, b)
    | Or(a, b) -> predAliases a @ predAliases b
    | Not a -> predAliases a
    | IsNull(a, _) -> exprAliases a
    | Between(a, b, c, _) -> exprAliases a @ exprAliases b @ exprAliases c
    | InList(a, xs, _) -> exprAliases a @ List.collect exprAliases xs
    | InSub(a, s, _) -> exprAliases a @ selectFreeAliases s
    | Exists(s, _) -> selectFreeAliases s
    | AlwaysTrue -> []

/// Aliases a select uses that it does not define itself.
and selectFreeAliases (s: Select) : string list =
    let own = snd s.From :: (s.Joins |> List.map (fun j -> j.Alias))
    let used =
        (s.Items @ s.GroupBy |> List.collect exprAliases)
        @ (s.Where |> Option.map predAliases |> Option.defaultValue [])
        @ (s.Having |> Option.map predAliases |> Option.defaultValue [])
        @ (s.Joins |> List.collect (fun j -> j.On |> Option.map predAliases |> Option.defaultValue []))
    used |> List.filter (fun a -> not (List.contains a own)) |> List.distinct

/// A wide comma join (more than three tables) keeps a link for every table after the first: an
/// equality of one of its columns with a column of an earlier table, or with a constant (see
/// linkTo). Shrinking then never turns it into a cross product of billions of rows.
let private linked (s: Select) =
    let aliases = snd s.From :: (s.Joins |> List.map (fun j -> j.Alias))
    let rec conjuncts p =
        match p with
        | And(a, b) -> conjuncts a @ conjuncts b
        | p -> [ p ]
    let top = s.Where |> Option.map conjuncts |> Option.defaultValue []
    aliases.Length <= 3
    || aliases
       |> List.indexed
       |> List.tail
       |> List.forall (fun (i, a) ->
           let earlier = List.take i aliases
           top
           |> List.exists (function
               | Cmp(Eq, Col(x, _, _), Col(y, _, _)) -> (x = a && List.contains y earlier) || (y = a && List.contains x earlier)
               | Cmp(Eq, Col(x, _, _), Lit _) -> x = a
               | _ -> false))

let rec private selectValid (visible: string list) (scalar: bool) (s: Select) : bool =
    let own = snd s.From :: (s.Joins |> List.map (fun j -> j.Alias))
    let scope = own @ visible
    let aliasesOk = selectFreeAliases s |> List.forall (fun a -> List.contains a visible)
    let joinsOk =
        s.Joins
        |> List.mapi (fun i j ->
            // An ON sees the tables of its own comma-separated FROM item (and the enclosing queries).
            let aliases = snd s.From :: (s.Joins |> List.take (i + 1) |> List.map (fun j -> j.Alias))
            let itemStart = s.Joins |> List.take (i + 1) |> List.tryFindIndexBack (fun j -> j.Kind = Comma) |> Option.map ((+) 1) |> Option.defaultValue 0
            let seen = List.skip itemStart aliases @ visible
            j.On
            |> Option.forall (fun p -> predAliases p |> List.forall (fun a -> List.contains a seen) && predSubsValid seen p))
        |> List.forall id
    let groupedOk =
        if isGrouped s then
            List.forall (groupedValid s.GroupBy) s.Items
            && (s.Having |> Option.forall (groupedPredValid s.GroupBy))
            && not (List.exists hasAggregate s.GroupBy)
            && not (s.GroupBy |> List.exists (function Lit _ -> true | _ -> false))
        else
            true
    let havingOk = s.Having.IsNone || not s.GroupBy.IsEmpty
    let whereOk =
        s.Where |> Option.forall (fun p -> not (predHasAggregate p) && predSubsValid scope p)
    let itemsOk =
        not s.Items.IsEmpty
        && (s.Items |> List.forall (exprSubsValid scope))
        && (s.GroupBy |> List.forall (exprSubsValid scope))
    let notExcluded = not (excluded s)
    let scalarOk =
        not scalar
        || (s.GroupBy.IsEmpty && s.Items.Length = 1 && hasAggregate s.Items.Head && groupedValid [] s.Items.Head)
    aliasesOk && joinsOk && groupedOk && havingOk && whereOk && itemsOk && scalarOk && notExcluded && linked s

and private exprSubsValid (scope: string list) (e: Expr) : bool =
    match e with
    | Col _
    | Lit _ -> true
    | Arith(_, a, b)
    | Concat(a, b) -> exprSubsValid scope a && exprSubsValid scope b
    | Neg a -> exprSubsValid scope a
    | Fn(_, args, _) -> List.forall (exprSubsValid scope) args
    | Case(arms, els) ->
        arms |> List.forall (fun (p, v) -> predSubsValid scope p && exprSubsValid scope v)
        && (els |> Option.forall (exprSubsValid scope))
    | Agg(_, _, a) -> a |> Option.forall (fun a -> exprSubsValid scope a && not (hasAggregate a))
    | Scalar s -> selectValid scope true s

and private predSubsValid (scope: string list) (p: Pred) : bool =
    match p with
    | Cmp(_, a, b) -> exprSubsValid scope a && exprSubsValid scope b
    | And(a, b)
    | Or(a, b) -> predSubsValid scope a && predSubsValid scope b
    | Not a -> predSubsValid scope a
    | IsNull(a, _) -> exprSubsValid scope a
    | Between(a, b, c, _) -> exprSubsValid scope a && exprSubsValid scope b && exprSubsValid scope c
    | InList(a, xs, _) -> exprSubsValid scope a && List.forall (exprSubsValid scope) xs && not xs.IsEmpty
    | InSub(a, s, _) -> exprSubsValid scope a && selectValid scope false s && s.Items.Length = 1
    | Exists(s, _) -> selectValid scope false s
    | AlwaysTrue -> true

let queryValid (q: Query) : bool =
    let tys = q.First.Items |> List.map typeOf
    let n = tys.Length
    let family t = if t = TText then TText else TInt
    selectValid [] false q.First
    && (q.Rest
        |> List.forall (fun (_, s) -> selectValid [] false s && (s.Items |> List.map (typeOf >> family)) = List.map family tys))
    && (q.Rest |> List.pairwise |> List.forall (fun ((a, _), (b, _)) -> b <> Intersect || a = Intersect))
    && (q.OrderBy |> List.forall (fun o -> o.Position >= 1 && o.Position <= n))
    && (q.Limit.IsNone || orderIsTotal q)

// =============================================================================================
// Shrinking: candidates from the biggest cut to the smallest; invalid ones are filtered out.

let private simplestLit (ty: Ty) =
    match ty with
    | TInt -> Lit(VInt 0L, TInt)
    | TReal -> Lit(VReal 0.0, TReal)
    | TText -> Lit(VText "", TText)

/// Replaces every occurrence of `k` (outside subqueries) by `k'`.
let rec substExpr (k: Expr) (k': Expr) (e: Expr) : Expr =
    if e = k then
        k'
    else
        let sub = substExpr k k'
        match e with
        | Col _
        | Lit _
        | Scalar _ -> e
        | Arith(op, a, b) -> Arith(op, sub a, sub b)
        | Concat(a, b) -> Concat(sub a, sub b)
        | Neg a -> Neg(sub a)
        | Fn(n, args, t) -> Fn(n, List.map sub args, t)
        | Agg(f, d, a) -> Agg(f, d, Option.map sub a)
        | Case(arms, els) -> Case(arms |> List.map (fun (p, v) -> substPred k k' p, sub v), Option.map sub els)

and substPred (k: Expr) (k': Expr) (p: Pred) : Pred =
    let sub = substExpr k k'
    match p with
    | Cmp(op, a, b) -> Cmp(op, sub a, sub b)
    | And(a, b) -> And(substPred k k' a, substPred k k' b)
    | Or(a, b) -> Or(substPred k k' a, substPred k k' b)
    | Not a -> Not(substPred k k' a)
    | IsNull(a, n) -> IsNull(sub a, n)
    | Between(a, b, c, n) -> Between(sub a, sub b, sub c, n)
    | InList(a, xs, n) -> InList(sub a, List.map sub xs, n)
    | InSub(a, s, n) -> InSub(sub a, s, n)
    | Exists _
    | AlwaysTrue -> p

let rec shrinkExpr (e: Expr) : Expr seq =
    let ty = typeOf e
    seq {
        match e with
        | Lit(v, _) when v = VNull || e = simplestLit ty -> ()
        | _ -> yield simplestLit ty
        match e with
        | Col _
        | Lit _ -> ()
        | Arith(op, a, b) ->
            if typeOf a = ty then yield a
            if typeOf b = ty then yield b
            for a' in shrinkExpr a do yield Arith(op, a', b)
            for b' in shrinkExpr b do yield Arith(op, a, b')
        | Neg a ->
            yield a
            for a' in shrinkExpr a do yield Neg a'
        | Concat(a, b) ->
            yield a
            yield b
            for a' in shrinkExpr a do yield Concat(a', b)
            for b' in shrinkExpr b do yield Concat(a, b')
        | Case(arms, els) ->
            for _, v in arms do
                if typeOf v = ty then yield v
            match els with
            | Some v ->
                if typeOf v = ty then yield v
                yield Case(arms, None)
            | None -> ()
            if arms.Length > 1 then
                for i in 0 .. arms.Length - 1 do
                    yield Case(List.removeAt i arms, els)
            for i in 0 .. arms.Length - 1 do
                let p, v = arms.[i]
                for p' in shrinkPred p do yield Case(List.updateAt i (p', v) arms, els)
                for v' in shrinkExpr v do yield Case(List.updateAt i (p, v') arms, els)
            match els with
            | Some v -> for v' in shrinkExpr v do yield Case(arms, Some v')
            | None -> ()
        | Fn(name, args, t) ->
            for a in args do
                if typeOf a = ty then yield a
            for i in 0 .. args.Length - 1 do
                for a' in shrinkExpr args.[i] do
                    yield Fn(name, List.updateAt i a' args, t)
        | Agg(f, d, a) ->
            if d then yield Agg(f, false, a)
            if f = Count && a.IsSome then yield Agg(Count, false, None)
            match a with
            | Some a -> for a' in shrinkExpr a do if typeOf a' = typeOf a then yield Agg(f, d, Some a')
            | None -> ()
        | Scalar s -> for s' in shrinkSelect s do yield Scalar s'
    }

and shrinkPred (p: Pred) : Pred seq =
    seq {
        if p <> AlwaysTrue then yield AlwaysTrue
        match p with
        | AlwaysTrue -> ()
        | Cmp(op, a, b) ->
            if op <> Eq then yield Cmp(Eq, a, b)
            for a' in shrinkExpr a do yield Cmp(op, a', b)
            for b' in shrinkExpr b do yield Cmp(op, a, b')
        | And(a, b) ->
            yield a
            yield b
            for a' in shrinkPred a do yield And(a', b)
            for b' in shrinkPred b do yield And(a, b')
        | Or(a, b) ->
            yield a
            yield b
            for a' in shrinkPred a do yield Or(a', b)
            for b' in shrinkPred b do yield Or(a, b')
        | Not a ->
            yield a
            for a' in shrinkPred a do yield Not a'
        | IsNull(a, n) ->
            if n then yield IsNull(a, false)
            for a' in shrinkExpr a do yield IsNull(a', n)
        | Between(a, lo, hi, n) ->
            if n then yield Between(a, lo, hi, false)
            for a' in shrinkExpr a do yield Between(a', lo, hi, n)
            for x in shrinkExpr lo do yield Between(a, x, hi, n)
            for x in shrinkExpr hi do yield Between(a, lo, x, n)
        | InList(a, xs, n) ->
            if n then yield InList(a, xs, false)
            if xs.Length > 1 then
                for i in 0 .. xs.Length - 1 do
                    yield InList(a, List.removeAt i xs, n)
            for a' in shrinkExpr a do yield InList(a', xs, n)
            for i in 0 .. xs.Length - 1 do
                for x in shrinkExpr xs.[i] do
                    yield InList(a, List.updateAt i x xs, n)
        | InSub(a, s, n) ->
            if n then yield InSub(a, s, false)
            for a' in shrinkExpr a do yield InSub(a', s, n)
            for s' in shrinkSelect s do yield InSub(a, s', n)
        | Exists(s, n) ->
            if n then yield Exists(s, false)
            for s' in shrinkSelect s do yield Exists(s', n)
    }

and shrinkSelect (s: Select) : Select seq =
    seq {
        // Drop a joined table (valid only when nothing uses its alias; the filter decides).
        for i in 0 .. s.Joins.Length - 1 do
            yield { s with Joins = List.removeAt i s.Joins }
        if s.Joins.Length >= 1 then
            // Or make the first joined table the only one.
            let j = s.Joins.Head
            yield { s with From = j.Table, j.Alias; Joins = List.tail s.Joins }
        if s.Where.IsSome then yield { s with Where = None }
        if s.Having.IsSome then yield { s with Having = None }
        if s.Distinct then yield { s with Distinct = false }
        if not s.GroupBy.IsEmpty then
            for i in 0 .. s.GroupBy.Length - 1 do
                yield { s with GroupBy = List.removeAt i s.GroupBy }
        for i in 0 .. s.Joins.Length - 1 do
            let j = s.Joins.[i]
            if j.Kind = LeftOuter then yield { s with Joins = List.updateAt i { j with Kind = Inner } s.Joins }
            match j.On with
            | Some p -> for p' in shrinkPred p do yield { s with Joins = List.updateAt i { j with On = Some p' } s.Joins }
            | None -> ()
        match s.Where with
        | Some p -> for p' in shrinkPred p do yield { s with Where = Some p' }
        | None -> ()
        match s.Having with
        | Some p -> for p' in shrinkPred p do yield { s with Having = Some p' }
        | None -> ()
        for i in 0 .. s.Items.Length - 1 do
            for e' in shrinkExpr s.Items.[i] do
                yield { s with Items = List.updateAt i e' s.Items }
        for i in 0 .. s.GroupBy.Length - 1 do
            let k = s.GroupBy.[i]
            for k' in shrinkExpr k |> Seq.filter (constant >> not) do
                // A key and its uses in the items change together.
                yield
                    { s with
                        GroupBy = List.updateAt i k' s.GroupBy
                        Items = List.map (substExpr k k') s.Items
                        Having = s.Having |> Option.map (substPred k k') }
    }

let shrinkQuery (q: Query) : Query seq =
    seq {
        if not q.Rest.IsEmpty then
            yield { q with Rest = [] }
            for _, s in q.Rest do
                yield { q with First = s; Rest = [] }
            for i in 0 .. q.Rest.Length - 1 do
                yield { q with Rest = List.removeAt i q.Rest }
        if q.Limit.IsSome then yield { q with Limit = None }
        if not q.OrderBy.IsEmpty then yield { q with OrderBy = []; Limit = None }
        if q.OrderBy |> List.exists (fun o -> o.Nulls.IsSome || o.Desc) then
            yield { q with OrderBy = q.OrderBy |> List.map (fun o -> { o with Nulls = None; Desc = false }) }
        match q.Limit with
        | Some(n, Some _) -> yield { q with Limit = Some(n, None) }
        | _ -> ()
        // Drop an output column: only with no set operation, and renumbering the ORDER BY.
        if q.Rest.IsEmpty && q.First.Items.Length > 1 then
            for i in 0 .. q.First.Items.Length - 1 do
                let order =
                    q.OrderBy
                    |> List.filter (fun o -> o.Position <> i + 1)
                    |> List.map (fun o -> if o.Position > i + 1 then { o with Position = o.Position - 1 } else o)
                yield { q with First = { q.First with Items = List.removeAt i q.First.Items }; OrderBy = order }
        for s' in shrinkSelect q.First do
            yield { q with First = s' }
        for i in 0 .. q.Rest.Length - 1 do
            let op, s = q.Rest.[i]
            if op <> UnionAll then yield { q with Rest = List.updateAt i (UnionAll, s) q.Rest }
            for s' in shrinkSelect s do
                yield { q with Rest = List.updateAt i (op, s') q.Rest }
    }
    |> Seq.filter queryValid

let shrinkCase (c: Case) : Case seq =
    seq {
        match c.Queries with
        | [ q ] ->
            let used = queryTables q
            // Tables the query does not read go first (the script printed is smaller), then rows.
            let unused = c.Tables |> List.filter (fun t -> not (List.contains t.Name used))
            if not unused.IsEmpty then
                yield { c with Tables = c.Tables |> List.filter (fun t -> List.contains t.Name used) }
            for ti in 0 .. c.Tables.Length - 1 do
                let t = c.Tables.[ti]
                for ii in 0 .. t.Indexes.Length - 1 do
                    yield { c with Tables = List.updateAt ti { t with Indexes = List.removeAt ii t.Indexes } c.Tables }
                let n = t.Rows.Length
                if n > 1 then
                    yield { c with Tables = List.updateAt ti { t with Rows = List.take (n / 2) t.Rows } c.Tables }
                    yield { c with Tables = List.updateAt ti { t with Rows = List.skip (n / 2) t.Rows } c.Tables }
                for ri in 0 .. n - 1 do
                    yield { c with Tables = List.updateAt ti { t with Rows = List.removeAt ri t.Rows } c.Tables }
            for q' in shrinkQuery q do
                yield { c with Queries = [ q' ] }
            // Values last: a non-key value to NULL.
            for ti in 0 .. c.Tables.Length - 1 do
                let t = c.Tables.[ti]
                for ri in 0 .. t.Rows.Length - 1 do
                    let row = t.Rows.[ri]
                    for ci in 0 .. row.Length - 1 do
                        if row.[ci] <> VNull && not t.Columns.[ci].Pk then
                            let row' = List.updateAt ci VNull row
                            yield { c with Tables = List.updateAt ti { t with Rows = List.updateAt ri row' t.Rows } c.Tables }
        | qs ->
            // First find the one query that fails.
            for q in qs do
                yield { c with Queries = [ q ] }
    }

let arbCase : Arbitrary<Case> = Arb.fromGenShrink (genCase, shrinkCase)

/// Queries per case of the index metamorphic property: one database serves them all, so more
/// queries per case run more of them in its time.
let metamorphicQueriesPerCase = 15

let arbMetamorphicCase : Arbitrary<Case> = Arb.fromGenShrink (genCaseOf metamorphicQueriesPerCase, shrinkCase)
