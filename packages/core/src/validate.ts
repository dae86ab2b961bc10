import { InputError } from "./errors.js";

/**
 * Argument checks shared by every package, so that every bad value gets the same kind of message:
 * "<field> must be <expected>; got <value>". Each returns the value to allow `this.x = requireX(...)`.
 */

export function requireFinite(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InputError({ field, value, expected: "a finite number" });
  }
  return value;
}

export function requirePositive(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InputError({ field, value, expected: "a finite number > 0" });
  }
  return value;
}

export function requireNonNegative(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InputError({ field, value, expected: "a finite number ≥ 0" });
  }
  return value;
}

export function requireInRange(field: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError({ field, value, expected: `a number in [${min}, ${max}]` });
  }
  return value;
}

export function requireInteger(field: string, value: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
        ? ""
        : max === Number.MAX_SAFE_INTEGER
          ? ` ≥ ${min}`
          : ` in [${min}, ${max}]`;
    throw new InputError({ field, value, expected: `an integer${range}` });
  }
  return value;
}

export function requirePositiveInteger(field: string, value: number): number {
  return requireInteger(field, value, 1);
}

/** An index into a collection of `size` items: an integer in [0, size). */
export function requireIndex(field: string, value: number, size: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new InputError({ field, value, expected: `an integer in [0, ${size - 1}]` });
  }
  return value;
}
