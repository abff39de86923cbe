module Foundry.Cli.Tests.HelpTests

open Xunit
open Foundry.Cli.Tests.Cli

[<Theory>]
[<InlineData("", "shell|exec|explain|check")>]
[<InlineData("shell", "--init|database")>]
[<InlineData("exec", "--command|-c|--file|-f|--format|--jsonl")>]
[<InlineData("explain", "--stage|--format|ast|optimized")>]
[<InlineData("check", "database|checksums|Exit code 0")>]
[<InlineData("recover", "database|--accept-loss|refuses")>]
let ``--help describes each command`` (command: string, mentions: string) =
    let args = (if command = "" then [] else [ command ]) @ [ "--help" ]
    let r = run "" args
    Assert.Equal(0, r.ExitCode)
    for word in mentions.Split '|' do
        Assert.Contains(word, r.Out)
