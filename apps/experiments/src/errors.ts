import { Rl3Error, UnknownNameError } from "@rl3/core";

/** A command-line mistake (unknown command, preset, flag…): exit code 2, like other Unix tools. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Checks a name against the known ones, suggesting the closest on a miss. */
export function requireKnown(kind: string, value: string, known: readonly string[]): string {
  if (known.includes(value)) return value;
  throw new UsageError(new UnknownNameError(kind, value, known).message);
}

/** Exit code for an error: 2 for usage and configuration mistakes, 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (error instanceof Rl3Error && (error.code === "INVALID_CONFIG" || error.code === "UNKNOWN_NAME" || error.code === "INVALID_INPUT")) return 2;
  return 1;
}
