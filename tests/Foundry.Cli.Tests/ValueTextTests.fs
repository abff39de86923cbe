module Foundry.Cli.Tests.ValueTextTests

open Xunit
open Foundry.Cli.Output

[<Theory>]
[<InlineData(3.0, "3.0")>]
[<InlineData(2.5, "2.5")>]
[<InlineData(-0.1, "-0.1")>]
[<InlineData(1e20, "1E+20")>]
[<InlineData(123456789012.0, "123456789012.0")>]
let ``a REAL always has a decimal point or an exponent`` (value: float, expected: string) =
    Assert.Equal(expected, ValueText.Real value)

[<Fact>]
let ``NaN and infinities have no JSON form`` () =
    Assert.Null(ValueText.Real nan)
    Assert.Null(ValueText.Real infinity)
    Assert.Null(ValueText.Real -infinity)

[<Fact>]
let ``display text of each kind of value`` () =
    Assert.Null(ValueText.Display null)
    Assert.Equal("42", ValueText.Display(box 42L))
    Assert.Equal("true", ValueText.Display(box true))
    Assert.Equal("AQI=", ValueText.Display(box [| 1uy; 2uy |]))
    Assert.Equal("x", ValueText.Display(box "x"))
