/**
 * numpy's float64 summation orders, reproduced so sums of non-integer data
 * agree with numpy to the last bit.
 *
 * numpy adds a contiguous run with its pairwise scheme: runs shorter than 8
 * are added one by one starting from 0, runs up to 128 use 8 interleaved
 * accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` plus the
 * leftover tail, and longer runs split in two halves (the first a multiple
 * of 8). When numpy must convert the input first (int -> float64, float32 ->
 * float64) it works through a buffer of 8192 elements, summing each buffer
 * pairwise and adding the buffer sums one after another.
 */

/** Size of numpy's conversion buffer (`np.getbufsize()` default). */
const NUMPY_BUFFER_SIZE = 8192;

/** numpy's pairwise sum of `a[start .. start + n)`. */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = start; i < start + n; i++) s += a[i]!;
    return s;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    const end8 = start + n - (n % 8);
    let i = start + 8;
    for (; i < end8; i += 8) {
      r0 += a[i]!;
      r1 += a[i + 1]!;
      r2 += a[i + 2]!;
      r3 += a[i + 3]!;
      r4 += a[i + 4]!;
      r5 += a[i + 5]!;
      r6 += a[i + 6]!;
      r7 += a[i + 7]!;
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < start + n; i++) s += a[i]!;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}

/** numpy's sum of `a[0 .. n)` when the input is converted through its buffer. */
export function bufferedPairwiseSum(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let start = 0; start < n; start += NUMPY_BUFFER_SIZE) {
    s += pairwiseSum(a, start, Math.min(NUMPY_BUFFER_SIZE, n - start));
  }
  return s;
}

/**
 * numpy's pairwise sum of float32 data, every addition rounded to float32 (as
 * numpy's float32 loop adds). `r` is scratch space for the 8 accumulators.
 */
export function pairwiseSumFloat32(
  a: ArrayLike<number>,
  start: number,
  n: number,
  r: Float32Array = new Float32Array(8),
): number {
  const fr = Math.fround;
  if (n < 8) {
    let s = 0;
    for (let i = start; i < start + n; i++) s = fr(s + a[i]!);
    return s;
  }
  if (n <= 128) {
    for (let k = 0; k < 8; k++) r[k] = a[start + k]!;
    const end8 = start + n - (n % 8);
    let i = start + 8;
    for (; i < end8; i += 8) for (let k = 0; k < 8; k++) r[k]! += a[i + k]!;
    let s = fr(
      fr(fr(r[0]! + r[1]!) + fr(r[2]! + r[3]!)) + fr(fr(r[4]! + r[5]!) + fr(r[6]! + r[7]!)),
    );
    for (; i < start + n; i++) s = fr(s + a[i]!);
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return fr(
    pairwiseSumFloat32(a, start, half, r) + pairwiseSumFloat32(a, start + half, n - half, r),
  );
}
