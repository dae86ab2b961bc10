/** Where results go: one JSON object on stdout with `--json`, readable text otherwise. Progress is on stderr. */
export interface Output {
  readonly json: boolean;
  /** Human-readable lines (suppressed under --json). */
  say(text: string): void;
  /** The command's result: printed as JSON under --json, else rendered by `render`. */
  result(value: unknown, render?: () => string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    say: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    result: (value, render) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else if (render) process.stdout.write(`${render()}\n`);
    },
  };
}

/** A markdown table from rows of cells. */
export function markdownTable(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}
