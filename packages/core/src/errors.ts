/**
 * Every error rl3 throws on purpose is an `Rl3Error`, so callers can branch on `code` instead of parsing messages.
 * Errors about a value name the field, show the value, and say what was expected.
 */
export type Rl3ErrorCode =
  | "INVALID_CONFIG"
  | "INVALID_INPUT"
  | "INVALID_STATE"
  | "INVALID_FILE"
  | "UNKNOWN_NAME";

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `ppo.learningRate` or `alpha`. */
  field: string;
  /** The value that was given (kept as-is for programmatic inspection). */
  value: unknown;
  /** What would have been accepted, in words: "a finite number > 0". */
  expected: string;
}

export class Rl3Error extends Error {
  readonly code: Rl3ErrorCode;
  constructor(code: Rl3ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "Rl3Error";
    this.code = code;
  }
}

/** Renders a value for an error message without dumping huge arrays. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === undefined || value === null) return String(value);
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, 8).map((item) => describeValue(item));
    return `[${shown.join(", ")}${items.length > 8 ? `, … (${items.length} items)` : ""}]`;
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function fieldMessage(problem: FieldProblem): string {
  return `${problem.field} must be ${problem.expected}; got ${describeValue(problem.value)}`;
}

/** An error about one named field: "<field> must be <expected>; got <value>", with the three kept as data. */
abstract class FieldError extends Rl3Error implements FieldProblem {
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  constructor(code: Rl3ErrorCode, name: string, problem: FieldProblem) {
    super(code, fieldMessage(problem));
    this.name = name;
    this.field = problem.field;
    this.value = problem.value;
    this.expected = problem.expected;
  }
}

/** A value passed to a function or method is out of its domain (an action out of range, a negative α, …). */
export class InputError extends FieldError {
  constructor(problem: FieldProblem) {
    super("INVALID_INPUT", "InputError", problem);
  }
}

/** A configuration (training config, env parameters, CLI `--set`) has a key with a wrong type or value. */
export class ConfigError extends FieldError {
  constructor(problem: FieldProblem) {
    super("INVALID_CONFIG", "ConfigError", problem);
  }
}

/** An operation is not allowed in the object's current state (e.g. `step` after the meta-episode ended). */
export class StateError extends Rl3Error {
  constructor(message: string) {
    super("INVALID_STATE", message);
    this.name = "StateError";
  }
}

/** A file (checkpoint, weights, policy) is damaged, truncated, foreign or from an incompatible version. */
export class FileFormatError extends Rl3Error {
  readonly path: string | undefined;
  constructor(message: string, options?: { path?: string; cause?: unknown }) {
    super("INVALID_FILE", options?.path ? `${options.path}: ${message}` : message, { cause: options?.cause });
    this.name = "FileFormatError";
    this.path = options?.path;
  }
}

/** A name (task family, preset, agent) is not one of the known names; the message lists them. */
export class UnknownNameError extends Rl3Error {
  readonly kind: string;
  readonly given: string;
  readonly known: readonly string[];
  /** The known name closest to the given one by edit distance, when one is close enough to be a likely typo. */
  readonly suggestion: string | undefined;
  constructor(kind: string, given: string, known: readonly string[]) {
    // `given` comes from users: a number or null must still make a readable error, not crash inside this one.
    const suggestion = typeof given === "string" ? closestName(given, known) : undefined;
    super(
      "UNKNOWN_NAME",
      `unknown ${kind} ${describeValue(given)}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ""}; known: ${known.join(", ")}`,
    );
    this.suggestion = suggestion;
    this.name = "UnknownNameError";
    this.kind = kind;
    this.given = given;
    this.known = known;
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name nearest to `given`, if within a third of its length (at least 2 edits); else undefined. */
export function closestName(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}
