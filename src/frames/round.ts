/**
 * numpy's `np.round(x)` for float64: round half to even, keeping the sign of
 * zero (`-0.5 -> -0`, `2.5 -> 2`, `3.5 -> 4`). ptypy rounds the ROI centre
 * this way, so `20.5` crops around pixel 20 and `33.5` around pixel 34.
 *
 * @example
 * roundHalfEven(42.5); // 42
 */
export function roundHalfEven(x: number): number {
  // Math.round is exact and breaks ties towards +Infinity; only ties whose
  // result is odd need moving down to the even neighbour.
  const r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
