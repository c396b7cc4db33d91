import { erfc, incompleteBeta, logGamma, normalCdf, studentTSurvival } from './stats.js';

// Reference values from scipy 1.17 (scipy.stats.norm.cdf / scipy.stats.t.sf).
const close = (actual: number, expected: number, rel = 1e-10) => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel + 1e-300);
};

describe('distribution functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14);
    close(Math.exp(logGamma(5)), 24, 1e-13);
    close(Math.exp(logGamma(11)), 3628800, 1e-13);
    close(Math.exp(logGamma(0.5)), Math.sqrt(Math.PI), 1e-13);
    close(logGamma(100.5), 361.4355404677776, 1e-13); // math.lgamma
  });

  it('normalCdf matches scipy, including the far tails', () => {
    expect(normalCdf(0)).toBe(0.5);
    close(normalCdf(1.959963984540054), 0.975, 1e-13);
    close(normalCdf(-2.3263478740408408), 0.01, 1e-11);
    close(normalCdf(-3), 0.0013498980316300933, 1e-11);
    close(normalCdf(-5), 2.866515718791933e-7, 1e-10);
    close(normalCdf(-8), 6.22096057427174e-16, 1e-9);
    close(normalCdf(1.5), 0.9331927987311419, 1e-13);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    close(erfc(0.5) + erfc(-0.5), 2, 1e-15);
  });

  it('studentTSurvival matches scipy for integer and fractional degrees of freedom', () => {
    close(studentTSurvival(2, 10), 0.03669401738537018);
    close(studentTSurvival(1, 1), 0.25);
    close(studentTSurvival(1, 2), 0.2113248654051871);
    close(studentTSurvival(2.015048373, 5), 0.05000000002124592, 1e-9);
    close(studentTSurvival(2.457261655, 30), 0.009999997403481141, 1e-9);
    close(studentTSurvival(-1.3, 7.5), 0.8839366105921956);
    close(studentTSurvival(0.1, 200), 0.4602222462521605);
    close(studentTSurvival(6, 3.3), 0.0035136089810716923);
    close(studentTSurvival(4.5, 248.7), 5.220672725174952e-6, 1e-9);
    close(studentTSurvival(12, 40), 3.91208565212799e-15, 1e-8);
    expect(studentTSurvival(0, 17)).toBeCloseTo(0.5, 14);
    // Huge df falls back to the normal distribution.
    close(studentTSurvival(2, 1e9), normalCdf(-2), 1e-6);
  });

  it('incompleteBeta is 0 and 1 at the ends and symmetric', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    close(incompleteBeta(0.3, 2.5, 4) + incompleteBeta(0.7, 4, 2.5), 1, 1e-13);
    // I_x(1, 1) = x
    close(incompleteBeta(0.37, 1, 1), 0.37, 1e-13);
  });

  it('rejects arguments outside the domain', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => studentTSurvival(1, 0)).toThrow(RangeError);
  });
});
