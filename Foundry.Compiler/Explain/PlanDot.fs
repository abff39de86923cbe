/// Graphviz DOT dumps of the plan stages (`explain --format dot`): one box per operator labelled with
/// its description, an edge from each operator to each of its inputs in input order (a join's probe or
/// outer input first). Logical operators also list their output columns. `dot -Tsvg` draws the graph.
module Foundry.Compiler.Explain.PlanDot

open System.Text
open Foundry.Compiler.Binding.BoundPrinter
open Foundry.Compiler.Logical
open Foundry.Compiler.Physical

/// A DOT string literal's contents: backslashes and quotes escaped, line breaks as centred `\n`.
let private quote (text: string) =
    text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "").Replace("\n", "\\n")

/// Nodes are numbered in pre-order (the root is n0), so the output is stable for golden comparisons.
let private render (label: 'Plan -> string) (children: 'Plan -> 'Plan list) (root: 'Plan) =
    let out = StringBuilder()
    out.Append("digraph plan {\n  node [shape=box, fontname=\"monospace\"];\n") |> ignore
    let mutable count = 0
    let rec visit (plan: 'Plan) =
        let id = count
        count <- count + 1
        out.Append($"  n{id} [label=\"{quote (label plan)}\"];\n") |> ignore
        for child in children plan do
            let childId = visit child
            out.Append($"  n{id} -> n{childId};\n") |> ignore
        id
    visit root |> ignore
    out.Append("}\n").ToString()

let logical (plan: LogicalPlan.LogicalPlan) =
    let label p =
        let columns = LogicalPlan.outputColumns p |> List.map columnWithType |> String.concat ", "
        $"{LogicalPrinter.describe p}\n[{columns}]"
    render label LogicalPlan.children plan

let physical (plan: PhysicalPlan.PhysicalPlan) = render PhysicalPrinter.describe PhysicalPlan.children plan

/// A one-node graph for a statement without a plan (CREATE, BEGIN, ...), labelled with `text`.
let single (text: string) = render id (fun _ -> []) text
