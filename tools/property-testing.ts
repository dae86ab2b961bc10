// Shared by the packages' property and fuzz tests (like bench-harness.ts for the benchmarks).
import fc from "fast-check";
import { expect } from "vitest";

/**
 * A file's content damaged the way disks and kills damage files: 1 … `maxFlips` bytes XOR-ed with a non-zero mask,
 * and optionally cut short anywhere.
 */
export function damagedBytes(original: Uint8Array, maxFlips: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: maxFlips }),
      fc.option(fc.nat({ max: original.length }), { nil: undefined }),
    )
    .map(([flips, cut]) => {
      const bytes = Uint8Array.from(original);
      for (const [position, mask] of flips) bytes[position]! ^= mask;
      return cut === undefined ? bytes : bytes.subarray(0, cut);
    });
}

/**
 * "Typed error or valid result": runs `build`; a throw must be an instance of `typedError` (the library's error
 * base class, passed in so this file needs no workspace package), and a result must satisfy `check`.
 */
export function typedErrorOrValid<T>(typedError: abstract new (...args: never[]) => Error, build: () => T, check: (value: T) => void): void {
  let value: T;
  try {
    value = build();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(typedError);
    return;
  }
  check(value);
}
