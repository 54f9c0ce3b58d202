/**
 * Number arithmetic as OPA does it.
 *
 * OPA numbers are decimal texts (json.Number) computed on big numbers, so
 * `0.1 + 0.2 == 0.3` holds and integers never overflow. Our values are JS
 * doubles (or bigints for large integers); to reproduce OPA we read each
 * operand as the exact decimal it prints as (the shortest text that
 * round-trips, i.e. the literal the user wrote), compute exactly in
 * decimal, and only round when converting the result back to a value.
 */
import type { Num } from '../value.ts';

/** m × 10^e, exact. */
export interface Dec {
  m: bigint;
  e: number;
}

const ZERO: Dec = { m: 0n, e: 0 };

export function toDec(n: Num): Dec {
  if (typeof n === 'bigint') return { m: n, e: 0 };
  if (Number.isInteger(n) && Number.isSafeInteger(n)) return { m: BigInt(n), e: 0 };
  const text = String(n); // shortest round-trip text, e.g. 0.1, 1e+21, 1.5e-7
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a finite number: ${text}`);
  const frac = match[3] ?? '';
  const m = BigInt(match[1] + match[2] + frac);
  return { m, e: Number(match[4] ?? 0) - frac.length };
}

function pow10(k: number): bigint {
  return 10n ** BigInt(k);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  if (a.e === b.e) return [a.m, b.m, a.e];
  if (a.e > b.e) return [a.m * pow10(a.e - b.e), b.m, b.e];
  return [a.m, b.m * pow10(b.e - a.e), a.e];
}

export function decAdd(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
}
export function decSub(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { m: x - y, e };
}
export function decMul(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, e: a.e + b.e };
}
export function decIsZero(a: Dec): boolean {
  return a.m === 0n;
}

/**
 * Quotient. Exact when the decimal expansion terminates within the working
 * precision; otherwise 40 significant digits, far beyond what a double keeps.
 */
export function decDiv(a: Dec, b: Dec): Dec {
  if (a.m === 0n) return ZERO;
  const PREC = 40;
  const digits = (x: bigint) => (x < 0n ? -x : x).toString().length;
  const shift = Math.max(0, PREC - digits(a.m) + digits(b.m));
  const num = a.m * pow10(shift);
  return { m: num / b.m, e: a.e - b.e - shift };
}

/** Integer part toward zero and whether it was exact. */
export function decTrunc(a: Dec): { int: bigint; exact: boolean } {
  if (a.e >= 0) return { int: a.m * pow10(a.e), exact: true };
  const p = pow10(-a.e);
  return { int: a.m / p, exact: a.m % p === 0n };
}

export function decFloor(a: Dec): bigint {
  const { int, exact } = decTrunc(a);
  return !exact && a.m < 0n ? int - 1n : int;
}
export function decCeil(a: Dec): bigint {
  const { int, exact } = decTrunc(a);
  return !exact && a.m > 0n ? int + 1n : int;
}
/** Round half away from zero (Go's math.Round, which OPA's round uses). */
export function decRound(a: Dec): bigint {
  const half: Dec = { m: a.m < 0n ? -5n : 5n, e: -1 };
  return decTrunc(decAdd(a, half)).int;
}

export function intToNum(i: bigint): Num {
  return i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
}

/** Back to a value: integers exactly (bigint when large), others the nearest double. */
export function fromDec(a: Dec): Num {
  let { m, e } = a;
  if (m === 0n) return 0;
  while (e < 0 && m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  if (e >= 0) return intToNum(m * pow10(e));
  const n = Number(`${m}e${e}`);
  return Object.is(n, -0) ? 0 : n;
}

export function isInteger(n: Num): boolean {
  return typeof n === 'bigint' || Number.isInteger(n);
}

/** Exact integer view of a number, or undefined if it has a fractional part. */
export function asBigInt(n: Num): bigint | undefined {
  if (typeof n === 'bigint') return n;
  return Number.isInteger(n) ? BigInt(n) : undefined;
}

/**
 * A decimal number text (JSON / Go syntax) as a value: integers exactly
 * (bigint beyond 2^53), others as the nearest double.
 */
export function parseNumberText(text: string): Num {
  if (/^[+-]?\d+$/.test(text)) return intToNum(BigInt(text));
  return fromDecText(text);
}

function fromDecText(text: string): Num {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m && (m[2] || m[3])) {
    const frac = m[3] ?? '';
    const exp = Number(m[4] ?? 0) - frac.length;
    // Exact when the value is integral and not absurdly large (e.g. 1e3 → 1000, 1.5e20 → exact bigint).
    if (exp >= 0 && exp < 400) return fromDec({ m: BigInt((m[1] === '-' ? '-' : '') + (m[2] || '0') + frac), e: exp });
  }
  return Number(text);
}
