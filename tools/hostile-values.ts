// Shared by the packages' "bad input" property tests (issue 31): the values a user passes by mistake, and the
// assertion every public function must meet on them.
import fc from "fast-check";
import { expect } from "vitest";

/** Numbers at the edges a user can type: 0, negatives, fractions, NaN, ±Infinity, huge and unsafe integers. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 1.5, 2, 3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e9, 1e300, -1e300, 1e290, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2),
  fc.integer({ min: -3, max: 12 }),
  fc.double(),
);

/** Anything at all: edge numbers, wrong types (strings, booleans, objects, arrays, functions), null and undefined. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  edgeNumber,
  fc.constantFrom(null, undefined, "", "3", "x", true, {}, [], [Number.NaN], () => 1, Symbol("s"), 10n),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

/** A value or, one time in three, a hostile one: keeps most of a call well-formed so deeper checks are reached. */
export function mostly<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 2, arbitrary }, { weight: 1, arbitrary: hostile });
}

/** Arrays of edge numbers (mismatched lengths come from the random length). */
export const edgeArray: fc.Arbitrary<number[]> = fc.array(edgeNumber, { maxLength: 12 });

/**
 * The bar of issue 31 for one call: it throws an instance of `typedError` (never a raw TypeError or RangeError),
 * or it returns and `check` accepts the result. A result that is a number, or an array of numbers, must be finite.
 */
export async function typedOrValid<T>(typedError: abstract new (...args: never[]) => Error, call: () => T | Promise<T>, check: (value: T) => void = () => {}): Promise<void> {
  let value: T;
  try {
    value = await call();
  } catch (error) {
    expect(error, (error as Error)?.stack ?? String(error)).toBeInstanceOf(typedError);
    return;
  }
  expectFinite(value);
  check(value);
}

/** Numbers, and the numbers inside arrays and typed arrays, are finite (no NaN ever comes out). */
export function expectFinite(value: unknown): void {
  if (typeof value === "number") expect(Number.isFinite(value), `result ${value}`).toBe(true);
  else if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    for (const item of Array.from(value as ArrayLike<unknown>)) if (typeof item === "number") expect(Number.isFinite(item), `result item ${item}`).toBe(true);
  }
}
