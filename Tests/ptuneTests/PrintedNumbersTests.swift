import Testing

/// The comparison the documentation tests use lets float32 results move in their last digits, nothing else.
@Suite struct PrintedNumbersTests {
    @Test func lastDigitsMayMoveNothingElse() {
        #expect(PrintedNumbers.agree("0.3191091", "0.31910938"))
        #expect(PrintedNumbers.agree("[[ -7.7121 -11.7924]] shape [1, 2] float32", "[[ -7.7120 -11.7924]] shape [1, 2] float32"))
        #expect(!PrintedNumbers.agree("[[ -7.7150 -11.7924]] shape [1, 2] float32", "[[ -7.7120 -11.7924]] shape [1, 2] float32"))
        #expect(!PrintedNumbers.agree("shape [1, 3] float32", "shape [1, 2] float32"))
        #expect(!PrintedNumbers.agree("shape [1, 2] float64", "shape [1, 2] float32"))
        #expect(!PrintedNumbers.agree("0.3201091", "0.31910938"))
        #expect(!PrintedNumbers.agree("64 steps", "65 steps"))
        #expect(PrintedNumbers.tokens("lr=3e-3_x1 -2.5") == [.text("lr="), .number("3e-3"), .text("_x1 "), .number("-2.5")])
    }

    @Test func patternsMatchTextAndNearbyNumbers() {
        let pattern = "lr=1e-2_hidden=64_seed=1,1e-2,64,1,0,64,2.0269973278045654,1.8457894325256348,…"
        #expect(PrintedNumbers.line("lr=1e-2_hidden=64_seed=1,1e-2,64,1,0,64,2.026979684829712,1.846,0.019,2.8", matches: pattern))
        #expect(!PrintedNumbers.line("lr=1e-2_hidden=64_seed=1,1e-2,64,1,0,64,2.1269973278045654,1.8457894325256348,x", matches: pattern))
        #expect(!PrintedNumbers.line("lr=1e-2_hidden=64_seed=2,1e-2,64,1,0,64,2.0269973278045654,1.8457894325256348,x", matches: pattern))
        #expect(PrintedNumbers.line("wrote a.svg:   3 curves", matches: "wrote a.svg: 3 curves"))
    }
}
