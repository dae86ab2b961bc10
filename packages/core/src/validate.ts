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
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= size) {
    throw new InputError({ field, value, expected: `an integer in [0, ${size - 1}]` });
  }
  return value;
}

/** A plain options object (not null, not an array): destructuring `null` would otherwise be a raw TypeError. */
export function requireObject<T extends object>(field: string, value: T): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError({ field, value, expected: "an object" });
  }
  return value;
}

/** One of a fixed set of names (a method, a graph kind, a prior): anything else, a non-string included, is refused. */
export function requireOneOf<T extends string>(field: string, value: T, options: readonly T[]): T {
  if (typeof value !== "string" || !options.includes(value)) {
    throw new InputError({ field, value, expected: `one of ${options.map((option) => JSON.stringify(option)).join(", ")}` });
  }
  return value;
}

/**
 * An array or typed array of finite numbers, of exactly `length` entries when given: the first NaN, ±Infinity or
 * non-number is named by its index. One pass, no copy.
 */
export function requireFiniteArray<T extends ArrayLike<number>>(field: string, values: T, length?: number): T {
  if (!(Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView)))) {
    throw new InputError({ field, value: values, expected: length === undefined ? "an array of finite numbers" : `an array of ${length} finite numbers` });
  }
  if (length !== undefined && values.length !== length) {
    throw new InputError({ field: `${field}.length`, value: values.length, expected: `${length}` });
  }
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new InputError({ field: `${field}[${index}]`, value, expected: "a finite number" });
    }
  }
  return values;
}

/**
 * A count that decides an allocation or a loop (envs, episodes, sweeps, states): an integer in [min, limit], the
 * limit named in the message, checked before anything is allocated.
 */
export function requireSafeSize(field: string, value: number, limit: number, min = 1): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > limit) {
    throw new InputError({ field, value, expected: `an integer in [${min}, ${limit}] (limit ${limit})` });
  }
  return value;
}

/**
 * A caller-supplied output buffer: a Float64Array with room for `length` entries from `offset`. Writing past a
 * typed array's end is silently dropped, so a short buffer would lose results without this check.
 */
export function requireBuffer(field: string, out: Float64Array, length: number, offset = 0): Float64Array {
  if (!(out instanceof Float64Array)) throw new InputError({ field, value: out, expected: `a Float64Array of at least ${offset + length} entries` });
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > out.length) {
    throw new InputError({ field: offset === 0 ? `${field}.length` : "offset", value: offset === 0 ? out.length : offset, expected: offset === 0 ? `at least ${length}` : `an integer in [0, ${out.length - length}] (${field} holds ${out.length}; ${length} entries are written)` });
  }
  return out;
}
