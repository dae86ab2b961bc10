import cliProgress from "cli-progress";
import type { IterationMetrics } from "@rl3/algorithms";
import { formatDuration } from "./presets.js";

/**
 * Training progress on stderr: a live bar on a terminal, one plain line every few seconds otherwise (logs, CI).
 * Never on stdout, which `--json` reserves for the single JSON result.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private lastLine = 0;
  private readonly started = Date.now();

  constructor(private readonly label: string, private readonly total: number, start: number, private readonly quiet = false) {
    if (!quiet && process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} it | {steps} steps | {sps} SPS | return {ret} | KL {kl} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, start, { steps: 0, sps: 0, ret: "-", kl: "-" });
    }
  }

  update(metrics: IterationMetrics): void {
    if (this.quiet) return;
    const payload = {
      steps: metrics["charts/env_steps"],
      sps: Math.round(metrics["charts/SPS"]),
      ret: metrics["charts/episodic_return"].toFixed(1),
      kl: metrics["losses/approx_kl"].toFixed(4),
    };
    const validation = metrics["eval/validation_return"];
    if (this.bar) {
      this.bar.update(metrics.iteration, payload);
      return;
    }
    const now = Date.now();
    if (now - this.lastLine >= 5000 || metrics.iteration === this.total) {
      this.lastLine = now;
      const elapsed = (now - this.started) / 1000;
      process.stderr.write(
        `${this.label} iteration ${metrics.iteration}/${this.total} | ${payload.steps} steps | ${payload.sps} SPS | return ${payload.ret} | KL ${payload.kl}${validation === undefined ? "" : ` | greedy validation ${validation.toFixed(1)}`} | ${formatDuration(elapsed)} elapsed\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
