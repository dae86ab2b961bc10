import { CommanderError } from "commander";
import { ConfigError, FileFormatError, Rl3Error, UnknownNameError } from "@rl3/core";

/**
 * A command-line mistake (a missing flag, running `bench` outside the repository…): exit code 2, like other Unix
 * tools. It is a `ConfigError` (code INVALID_CONFIG) so that every error a user causes is an `Rl3Error`.
 */
export class UsageError extends ConfigError {
  constructor(field: string, value: unknown, expected: string) {
    super({ field, value, expected });
    this.name = "UsageError";
  }
}

/** Checks a name against the known ones: an `UnknownNameError` with the closest name ("did you mean") on a miss. */
export function requireKnown(kind: string, value: string, known: readonly string[]): string {
  if (known.includes(value)) return value;
  throw new UnknownNameError(kind, value, known);
}

/** Exit code for an error: 2 for usage and configuration mistakes, 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof Rl3Error && (error.code === "INVALID_CONFIG" || error.code === "UNKNOWN_NAME" || error.code === "INVALID_INPUT")) return 2;
  return 1;
}

/** The error object `--json` prints: `code` and `message` always, and the fields that say what was wrong. */
export interface ErrorJson {
  code: string;
  message: string;
  field?: string;
  value?: unknown;
  expected?: string;
  path?: string;
  given?: string;
  known?: readonly string[];
  suggestion?: string;
}

/** Commander's own errors are usage mistakes; its message starts with "error: ", which the JSON form drops. */
function commanderJson(error: CommanderError): ErrorJson {
  const message = error.message.replace(/^error: /u, "").replace(/\n/gu, " ");
  const option = /option '([^' ]+)/u.exec(message)?.[1];
  const command = error.code === "commander.unknownCommand" ? /unknown command '([^']+)'/u.exec(message)?.[1] : undefined;
  const suggestion = /Did you mean ([^?]+)\?/u.exec(message)?.[1];
  return {
    code: "INVALID_USAGE",
    message,
    ...(option ? { field: option } : command ? { field: "command", value: command } : {}),
    ...(suggestion ? { suggestion } : {}),
  };
}

/** Any thrown value as the `--json` error object. Values that cannot be serialised are shown as text. */
export function errorJson(error: unknown): ErrorJson {
  if (error instanceof CommanderError) return commanderJson(error);
  if (!(error instanceof Rl3Error)) return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
  const result: ErrorJson = { code: error.code, message: error.message };
  if (error instanceof UnknownNameError) return { ...result, field: error.kind, value: error.given, given: error.given, known: error.known, ...(error.suggestion ? { suggestion: error.suggestion } : {}) };
  if (error instanceof FileFormatError) return { ...result, ...(error.path ? { path: error.path } : {}) };
  const problem = error as Partial<{ field: string; value: unknown; expected: string }>;
  if (problem.field !== undefined) Object.assign(result, { field: problem.field, value: jsonSafe(problem.value), expected: problem.expected });
  return result;
}

/** NaN, ±Inf, typed arrays and other non-JSON values as their text, so the error object always serialises. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === undefined || typeof value === "bigint" || typeof value === "function" || ArrayBuffer.isView(value)) return value === undefined ? null : String(value);
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}
