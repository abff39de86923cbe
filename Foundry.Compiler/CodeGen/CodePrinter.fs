/// Prints generated expression trees as C#-like text for `explain --stage code` and golden files.
/// Only the node kinds the code generator emits are covered; anything else prints as its node type,
/// so a dump never fails. Output is deterministic: locals and labels carry generator-assigned names.
module Foundry.Compiler.CodeGen.CodePrinter

open System
open System.Linq.Expressions
open System.Text

let private typeName (t: Type) =
    match t with
    | t when t = typeof<int64> -> "long"
    | t when t = typeof<int> -> "int"
    | t when t = typeof<float> -> "double"
    | t when t = typeof<bool> -> "bool"
    | t when t = typeof<string> -> "string"
    | t when t = typeof<obj> -> "object"
    | t when t = typeof<byte[]> -> "byte[]"
    | t when t = typeof<Void> -> "void"
    | t -> t.Name

let private binaryOperator (t: ExpressionType) =
    match t with
    | ExpressionType.Add -> Some "+"
    | ExpressionType.AddChecked -> Some "+(checked)"
    | ExpressionType.Subtract -> Some "-"
    | ExpressionType.SubtractChecked -> Some "-(checked)"
    | ExpressionType.Multiply -> Some "*"
    | ExpressionType.MultiplyChecked -> Some "*(checked)"
    | ExpressionType.Divide -> Some "/"
    | ExpressionType.Equal -> Some "=="
    | ExpressionType.NotEqual -> Some "!="
    | ExpressionType.LessThan -> Some "<"
    | ExpressionType.LessThanOrEqual -> Some "<="
    | ExpressionType.GreaterThan -> Some ">"
    | ExpressionType.GreaterThanOrEqual -> Some ">="
    | ExpressionType.AndAlso -> Some "&&"
    | ExpressionType.OrElse -> Some "||"
    | _ -> None

let rec private expr (e: Expression) : string =
    match e with
    | :? ConstantExpression as c ->
        match c.Value with
        | null -> "null"
        | :? string as s -> "\"" + s.Replace("\"", "\\\"") + "\""
        | :? bool as b -> if b then "true" else "false"
        | :? int64 as l -> string l + "L"
        | :? float as d -> d.ToString("R", Globalization.CultureInfo.InvariantCulture) + "d"
        // Before byte[]: a byte-based enum array passes the CLR's byte[] type test.
        | :? (Foundry.Runtime.ColumnKind[]) as kinds -> "ColumnKind[" + String.Join(", ", kinds) + "]"
        | :? (byte[]) as bytes -> "bytes[" + Convert.ToHexString(bytes) + "]"
        | :? Delegate -> "<compiled " + c.Type.Name + ">"
        | v when v.GetType().IsPrimitive -> string v
        | v -> "<" + v.GetType().Name + ">"
    | :? ParameterExpression as p -> p.Name
    | :? DefaultExpression as d -> sprintf "default(%s)" (typeName d.Type)
    | :? MemberExpression as m ->
        let owner = if isNull m.Expression then m.Member.DeclaringType.Name else expr m.Expression
        owner + "." + m.Member.Name
    | :? IndexExpression as i -> sprintf "%s[%s]" (expr i.Object) (i.Arguments |> Seq.map expr |> String.concat ", ")
    | :? MethodCallExpression as call ->
        let target = if isNull call.Object then call.Method.DeclaringType.Name else expr call.Object
        sprintf "%s.%s(%s)" target call.Method.Name (call.Arguments |> Seq.map expr |> String.concat ", ")
    | :? NewExpression as n -> sprintf "new %s(%s)" n.Type.Name (n.Arguments |> Seq.map expr |> String.concat ", ")
    | :? UnaryExpression as u ->
        match u.NodeType with
        | ExpressionType.Not -> "!" + expr u.Operand
        | ExpressionType.Negate -> "-" + expr u.Operand
        | ExpressionType.Convert -> sprintf "(%s)%s" (typeName u.Type) (expr u.Operand)
        | _ -> sprintf "%A(%s)" u.NodeType (expr u.Operand)
    | :? BinaryExpression as b when b.NodeType = ExpressionType.ArrayIndex -> sprintf "%s[%s]" (expr b.Left) (expr b.Right)
    | :? BinaryExpression as b when b.NodeType = ExpressionType.Assign -> sprintf "%s = %s" (expr b.Left) (expr b.Right)
    | :? BinaryExpression as b ->
        match binaryOperator b.NodeType with
        | Some op -> sprintf "(%s %s %s)" (expr b.Left) op (expr b.Right)
        | None -> sprintf "%A(%s, %s)" b.NodeType (expr b.Left) (expr b.Right)
    | :? ConditionalExpression as c when c.Type <> typeof<Void> -> sprintf "(%s ? %s : %s)" (expr c.Test) (expr c.IfTrue) (expr c.IfFalse)
    | _ -> sprintf "<%A>" e.NodeType

/// Statements, one per line, nested blocks indented.
let rec private statement (out: StringBuilder) (indent: int) (e: Expression) =
    let line (s: string) = out.Append(String(' ', indent * 4)).Append(s).Append('\n') |> ignore
    match e with
    | :? BlockExpression as b ->
        for v in b.Variables do
            line (sprintf "%s %s;" (typeName v.Type) v.Name)
        for s in b.Expressions do
            statement out indent s
    | :? ConditionalExpression as c when c.Type = typeof<Void> ->
        line (sprintf "if (%s) {" (expr c.Test))
        statement out (indent + 1) c.IfTrue
        match c.IfFalse with
        | :? DefaultExpression as d when d.Type = typeof<Void> -> ()
        | f ->
            line "} else {"
            statement out (indent + 1) f
        line "}"
    | :? LoopExpression as l ->
        let name (t: LabelTarget) = if isNull t then "" else t.Name
        line (sprintf "loop (break: %s, continue: %s) {" (name l.BreakLabel) (name l.ContinueLabel))
        statement out (indent + 1) l.Body
        line "}"
    | :? GotoExpression as g ->
        match g.Kind with
        | GotoExpressionKind.Return when not (isNull g.Value) -> line (sprintf "return %s via %s;" (expr g.Value) g.Target.Name)
        | GotoExpressionKind.Break -> line (sprintf "break %s;" g.Target.Name)
        | GotoExpressionKind.Continue -> line (sprintf "continue %s;" g.Target.Name)
        | _ -> line (sprintf "goto %s;" g.Target.Name)
    | :? LabelExpression as l ->
        match l.DefaultValue with
        | null -> line (sprintf "%s:" l.Target.Name)
        | v -> line (sprintf "%s: (falls through with %s)" l.Target.Name (expr v))
    | :? DefaultExpression as d when d.Type = typeof<Void> -> ()
    | e -> line (expr e + ";")

/// A lambda as `name(parameters) { body }`.
let print (lambda: LambdaExpression) =
    let out = StringBuilder()
    let parameters = lambda.Parameters |> Seq.map (fun p -> sprintf "%s %s" (typeName p.Type) p.Name) |> String.concat ", "
    out.Append(sprintf "%s %s(%s) {\n" (typeName lambda.ReturnType) lambda.Name parameters) |> ignore
    statement out 1 lambda.Body
    out.Append("}").ToString()
