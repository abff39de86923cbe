/// Rendering under each column letter, md5 hashing and the sort modes.
module Foundry.Conformance.Tests.RenderTests

open System
open Xunit
open Foundry.Conformance.Tests.Slt

let private box' (v: 'a) = box v

[<Fact>]
let ``NULL renders as NULL under every letter`` () =
    for letter in [ 'I'; 'R'; 'T' ] do
        Assert.Equal("NULL", render letter null)
        Assert.Equal("NULL", render letter (box DBNull.Value))

[<Fact>]
let ``I: integers, reals truncate toward zero, text gives its leading integer`` () =
    Assert.Equal("42", render 'I' (box 42L))
    Assert.Equal("-9223372036854775808", render 'I' (box Int64.MinValue))
    Assert.Equal("169", render 'I' (box 169.42))
    Assert.Equal("-169", render 'I' (box -169.92))
    Assert.Equal("0", render 'I' (box -0.0))
    Assert.Equal("12", render 'I' (box "12abc"))
    Assert.Equal("-7", render 'I' (box "  -7.9"))
    Assert.Equal("0", render 'I' (box "abc"))
    Assert.Equal("0", render 'I' (box ""))
    Assert.Equal("1", render 'I' (box true))
    Assert.Equal("0", render 'I' (box false))
    Assert.Equal("9223372036854775807", render 'I' (box 1e30))

[<Fact>]
let ``R: %.3f rounding half away from zero with at most 16 significant digits`` () =
    Assert.Equal("1.000", render 'R' (box 1.0))
    Assert.Equal("5.000", render 'R' (box 5L))
    Assert.Equal("0.500", render 'R' (box 0.5))
    Assert.Equal("0.001", render 'R' (box 0.0005))
    Assert.Equal("-0.001", render 'R' (box -0.0005))
    Assert.Equal("2.001", render 'R' (box 2.0005))
    Assert.Equal("-2.001", render 'R' (box -2.0005))
    Assert.Equal("0.333", render 'R' (box (1.0 / 3.0)))
    Assert.Equal("66.667", render 'R' (box (200.0 / 3.0)))
    Assert.Equal("-9223372036854776000.000", render 'R' (box -9223372036854775808.0))
    Assert.Equal("100000000000000000000.000", render 'R' (box 1e20))
    Assert.Equal("0.000", render 'R' (box 0.0))
    Assert.Equal("0.000", render 'R' (box -0.0))
    Assert.Equal("-0.000", render 'R' (box -0.0001))
    Assert.Equal("0.000", render 'R' (box 1e-300))
    Assert.Equal("12.500", render 'R' (box "12.5abc"))
    Assert.Equal("0.000", render 'R' (box "x"))

[<Fact>]
let ``T: text with bytes outside 0x20..0x7E as at-signs, empty as (empty)`` () =
    Assert.Equal("hello world", render 'T' (box "hello world"))
    Assert.Equal("(empty)", render 'T' (box ""))
    Assert.Equal(" ", render 'T' (box " "))
    Assert.Equal("caf@@", render 'T' (box "café")) // é is two UTF-8 bytes
    Assert.Equal("a@b@c", render 'T' (box "a\tb\nc"))
    Assert.Equal("@@@@", render 'T' (box "😀")) // four bytes
    Assert.Equal("@", render 'T' (box "\u007F"))
    Assert.Equal("~", render 'T' (box "~"))
    Assert.Equal("AB", render 'T' (box [| 65uy; 66uy |]))
    Assert.Equal("(empty)", render 'T' (box (Array.empty<byte>)))

[<Fact>]
let ``T: integers as decimals, reals with up to 15 significant digits keeping a point or exponent`` () =
    Assert.Equal("42", render 'T' (box 42L))
    Assert.Equal("3.0", render 'T' (box 3.0))
    Assert.Equal("0.1", render 'T' (box 0.1))
    Assert.Equal("-2.5", render 'T' (box -2.5))
    Assert.Equal("1.0e+20", render 'T' (box 1e20))
    Assert.Equal("1.0e+15", render 'T' (box 1e15))
    Assert.Equal("100000000000000.0", render 'T' (box 1e14))
    Assert.Equal("1.5e-07", render 'T' (box 1.5e-7))
    Assert.Equal("0.0001", render 'T' (box 0.0001))
    Assert.Equal("1.0e-05", render 'T' (box 0.00001))
    Assert.Equal("0.333333333333333", render 'T' (box (1.0 / 3.0)))
    Assert.Equal("169.42", render 'T' (box 169.42))
    Assert.Equal("-9.22337203685478e+18", render 'T' (box -9223372036854775808.0))
    Assert.Equal("1.0e+100", render 'T' (box 1e100))
    Assert.Equal("0.0", render 'T' (box 0.0))
    Assert.Equal("0.0", render 'T' (box -0.0))
    Assert.Equal("1", render 'T' (box true))

[<Fact>]
let ``md5 is over each rendered value followed by a newline`` () =
    // printf '1\n2\n' | md5sum
    Assert.Equal("6ddb4095eb719e2a9f0a3f95677d24e0", md5Of [ "1"; "2" ])
    // printf 'NULL\n(empty)\n' | md5sum
    Assert.Equal("14ad0be6c1ebb606277cbbb8e0bcc287", md5Of [ "NULL"; "(empty)" ])
    // printf '' | md5sum
    Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", md5Of [])
    Assert.Equal("6ddb4095eb719e2a9f0a3f95677d24e0", expectedHash (Values [ "1"; "2" ]))

[<Fact>]
let ``valuesort sorts every value bytewise on the rendered text`` () =
    Assert.Equal<string list>([ "-1"; "10"; "9"; "NULL"; "a" ], sortValues ValueSort 1 [ "9"; "NULL"; "10"; "a"; "-1" ])
    Assert.Equal<string list>([ "B"; "a"; "b" ], sortValues ValueSort 1 [ "b"; "a"; "B" ])

[<Fact>]
let ``rowsort sorts whole rows, column by column, bytewise`` () =
    // Rows (9,x) (10,z) (10,a) (NULL,b): "10" < "9" < "NULL", ties broken by the next column.
    let values = [ "9"; "x"; "10"; "z"; "10"; "a"; "NULL"; "b" ]
    Assert.Equal<string list>([ "10"; "a"; "10"; "z"; "9"; "x"; "NULL"; "b" ], sortValues RowSort 2 values)
    // Column by column, not the joined row: ("1","23") before ("12","3").
    Assert.Equal<string list>([ "1"; "23"; "12"; "3" ], sortValues RowSort 2 [ "12"; "3"; "1"; "23" ])

[<Fact>]
let ``nosort keeps the engine's order`` () =
    Assert.Equal<string list>([ "3"; "1"; "2" ], sortValues NoSort 1 [ "3"; "1"; "2" ])
