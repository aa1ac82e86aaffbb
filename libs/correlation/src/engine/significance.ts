/**
 * How unlikely a cluster of symptoms is to be a coincidence of independent flaps, as
 * -log10(probability): 8 means one chance in 10^8.
 *
 * Model: each check report fails by chance with probability `flapRate`, independently. A symptom
 * seen in r consecutive failing reports then has chance flapRate^r; k such symptoms among the N
 * checks they could have come from (the live checks of the targets involved) have chance about
 * C(N, k) · Π flapRate^r_i of lining up by accident. So
 *   significance = Σ r_i · log10(1/flapRate) − log10 C(N, k).
 * N is the live checks of every target involved (a single instance's own trouble is judged by
 * persistence instead: see CorrelationEngine).
 * With flapRate 0.01 and a threshold of 7: one instance alone needs 4 failing reports in a row;
 * 6 of 18 dependents failing at once suffice; 3 of 5 at once do not (they need a second report);
 * three flaps among a backend's 367 dependents score below zero.
 * A stale instance counts as the maximum weight by itself (flaps never silence an instance).
 * Pure; O(1) (log-gamma by Stirling's series, accurate to 1e-6 well beyond what is needed).
 */
export function significance(
  weightedReports: number,
  opportunities: number,
  witnesses: number,
  flapRate: number,
): number {
  const perReport = -Math.log10(flapRate);
  return weightedReports * perReport - log10Choose(Math.max(opportunities, witnesses), witnesses);
}

/** Reports a single symptom needs to reach `threshold` on its own: the cap on a symptom's weight. */
export function reportsToSignificance(threshold: number, flapRate: number): number {
  return Math.max(1, Math.ceil(threshold / -Math.log10(flapRate) - 1e-9));
}

export function log10Choose(n: number, k: number): number {
  if (k <= 0 || k >= n) return 0;
  return (lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1)) / Math.LN10;
}

function lnGamma(x: number): number {
  if (x < 7) {
    // Shift up so that Stirling's series is accurate: Γ(x) = Γ(x + m) / (x (x+1) ... (x+m-1)).
    let product = 1;
    while (x < 7) product *= x++;
    return lnGamma(x) - Math.log(product);
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260))
  );
}
