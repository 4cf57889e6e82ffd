// Transcendental functions on four float32 lanes (Cephes-style range reduction and polynomials,
// within a few ulp of Mathf), so activations run at SIMD speed instead of one Mathf call per element.
import { madd } from './simd';

const LOG2E: f32 = 1.44269504;
// ln 2 split so that n·LN2_HI is exact for the |n| ≤ 128 that occur.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_OVERFLOW: f32 = 88.7228391;
const EXP_UNDERFLOW: f32 = -87.3365448;
const SQRT_HALF: f32 = 0.707106781;
const SMALLEST_NORMAL: f32 = 1.17549435e-38;

function splat(v: f32): v128 {
  return f32x4.splat(v);
}

function poly(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32): v128 {
  let p = madd(splat(c0), x, splat(c1));
  p = madd(p, x, splat(c2));
  p = madd(p, x, splat(c3));
  p = madd(p, x, splat(c4));
  return madd(p, x, splat(c5));
}

/** 2ᵏ for integer lanes k in [−126, 127]. */
function pow2(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

// Adding 1.5·2²³ rounds a float below 2²² to an integer held in the low mantissa bits.
const ROUNDING_MAGIC: f32 = 12582912;
const ROUNDING_MAGIC_BITS = 0x4b400000;

/**
 * eˣ as e^r·2ⁿ with |r| ≤ ½ln 2. Returns e^r − 1 (a polynomial, accurate near 0) and sets the
 * factors 2^⌊n/2⌋ and 2^(n − ⌊n/2⌋) in `scaleA`/`scaleB`: two factors so that n = 128 stays normal.
 */
let scaleA: v128 = i32x4.splat(0);
let scaleB: v128 = i32x4.splat(0);
function expReduce(x: v128): v128 {
  // pmin/pmax are single instructions and keep a NaN x (it is their first operand).
  const clamped = f32x4.pmin(f32x4.pmax(x, splat(EXP_UNDERFLOW)), splat(EXP_OVERFLOW));
  const t = madd(clamped, splat(LOG2E), splat(ROUNDING_MAGIC));
  const n = f32x4.sub(t, splat(ROUNDING_MAGIC));
  const r = madd(n, splat(-LN2_LO), madd(n, splat(-LN2_HI), clamped));
  const ni = i32x4.sub(t, i32x4.splat(ROUNDING_MAGIC_BITS));
  const h = i32x4.shr_s(ni, 1);
  scaleA = pow2(h);
  scaleB = pow2(i32x4.sub(ni, h));
  const p = poly(r, 1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1);
  return madd(p, f32x4.mul(r, r), r);
}

/** eˣ; +∞ above ~88.72, 0 below ~−87.34 (no subnormal results), NaN stays NaN. */
export function vexp(x: v128): v128 {
  const em = inline.always(expReduce(x));
  const y = f32x4.mul(madd(em, scaleA, scaleA), scaleB);
  const underflow = f32x4.le(x, splat(EXP_UNDERFLOW));
  const overflow = f32x4.gt(x, splat(EXP_OVERFLOW));
  return v128.bitselect(splat(Infinity), v128.andnot(y, underflow), overflow);
}

/** eˣ − 1 = 2ⁿ(e^r − 1) + 2ⁿ − 1, exact near 0 (n = 0) and −1 far below it. */
export function vexpm1(x: v128): v128 {
  const em = inline.always(expReduce(x));
  const y = f32x4.mul(madd(scaleA, em, f32x4.sub(scaleA, f32x4.div(splat(1), scaleB))), scaleB);
  return v128.bitselect(splat(Infinity), y, f32x4.gt(x, splat(EXP_OVERFLOW)));
}

/** ln x; −∞ at ±0, NaN below 0, +∞ at +∞. */
export function vlog(x: v128): v128 {
  // Subnormals are scaled into the normal range first.
  const subnormal = f32x4.lt(x, splat(SMALLEST_NORMAL));
  const bits = v128.bitselect(f32x4.mul(x, splat(8388608)), x, subnormal);
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(subnormal, i32x4.splat(23)));
  // m in [0.5, 1); below √½ use 2m − 1 and one less in the exponent, so the argument is in [√½−1, √2−1).
  const m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const low = f32x4.lt(m, splat(SQRT_HALF));
  e = i32x4.add(e, low); // true lanes are −1
  const t = f32x4.sub(f32x4.add(m, v128.and(m, low)), splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(t, t);
  let p = madd(splat(7.0376836292e-2), t, splat(-1.1514610310e-1));
  p = madd(p, t, splat(1.1676998740e-1));
  p = madd(p, t, splat(-1.2420140846e-1));
  p = madd(p, t, splat(1.4249322787e-1));
  p = madd(p, t, splat(-1.6668057665e-1));
  p = madd(p, t, splat(2.0000714765e-1));
  p = madd(p, t, splat(-2.4999993993e-1));
  p = madd(p, t, splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, t), z);
  y = madd(ef, splat(LN2_LO), y);
  y = madd(z, splat(-0.5), y);
  y = madd(ef, splat(LN2_HI), f32x4.add(t, y));
  // Special inputs: 0 → −∞, negative or NaN → NaN, +∞ → +∞.
  y = v128.bitselect(splat(-Infinity), y, f32x4.eq(x, splat(0)));
  y = v128.bitselect(splat(NaN), y, v128.not(f32x4.ge(x, splat(0))));
  return v128.bitselect(x, y, f32x4.eq(x, splat(Infinity)));
}

/** ln(1 + u) for u where 1 + u is formed in float32: log(w)·u/(w − 1) cancels w's rounding error. */
export function vlog1p(u: v128): v128 {
  const w = f32x4.add(u, splat(1));
  const d = f32x4.sub(w, splat(1));
  const logW = inline.always(vlog(w));
  const y = f32x4.div(f32x4.mul(logW, u), d);
  const exact = f32x4.eq(d, u); // no rounding in 1 + u (also u = ±∞): ln w itself
  const tiny = f32x4.eq(d, splat(0));
  return v128.bitselect(u, v128.bitselect(logW, y, exact), tiny);
}

/** tanh x: an odd polynomial for |x| < 0.625, 1 − 2/(e²ˣ + 1) beyond, the sign copied back. */
export function vtanh(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = madd(splat(-5.70498872745e-3), z, splat(2.06390887954e-2));
  p = madd(p, z, splat(-5.37397155531e-2));
  p = madd(p, z, splat(1.33314422036e-1));
  p = madd(p, z, splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const large = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(inline.always(vexp(f32x4.add(a, a))), splat(1))));
  const signed = v128.bitselect(x, large, i32x4.splat(0x80000000));
  return v128.bitselect(small, signed, f32x4.lt(a, splat(0.625)));
}

/** 1 / (1 + e⁻ˣ). */
export function vsigmoid(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), inline.always(vexp(f32x4.neg(x)))));
}

/**
 * ln(1 + u) for u in [0, 1] as 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …), s = u / (2 + u) ≤ ⅓: the series'
 * first omitted term is below 2·10⁻⁹ of the result, and small u keep full relative precision.
 */
function log1pUnit(u: v128): v128 {
  const s = f32x4.div(u, f32x4.add(u, splat(2)));
  const z = f32x4.mul(s, s);
  let p = madd(splat(<f32>(1.0 / 15)), z, splat(<f32>(1.0 / 13)));
  p = madd(p, z, splat(<f32>(1.0 / 11)));
  p = madd(p, z, splat(<f32>(1.0 / 9)));
  p = madd(p, z, splat(<f32>(1.0 / 7)));
  p = madd(p, z, splat(<f32>(1.0 / 5)));
  p = madd(p, z, splat(<f32>(1.0 / 3)));
  p = madd(p, z, splat(1));
  return f32x4.mul(f32x4.add(s, s), p);
}

/** ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|), which neither overflows nor loses small results. */
export function vsoftplus(x: v128): v128 {
  const y = f32x4.add(f32x4.pmax(x, splat(0)), inline.always(log1pUnit(inline.always(vexp(f32x4.neg(f32x4.abs(x)))))));
  return v128.bitselect(x, y, f32x4.ne(x, x)); // NaN in, NaN out
}

/** x for x > 0, eˣ − 1 otherwise (ELU with α = 1). */
export function velu(x: v128): v128 {
  return v128.bitselect(x, inline.always(vexpm1(f32x4.pmin(x, splat(0)))), f32x4.gt(x, splat(0)));
}

/** x / (1 + |x|). */
export function vsoftsign(x: v128): v128 {
  return f32x4.div(x, f32x4.add(f32x4.abs(x), splat(1)));
}
