import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

export interface TrainJob {
  label: string;
  args: string[];
}

/**
 * Runs `rl3 train` jobs as child processes, `concurrency` at a time, forwarding their progress lines to stderr with
 * a label. The machine's cores are shared among the runs side by side: a new run gets `--workers` cores ÷ runs (at
 * least 1) unless its args say otherwise; a resumed run keeps the workers it records.
 */
export async function runTrainJobs(jobs: TrainJob[], concurrency = 2): Promise<Record<string, unknown>[]> {
  const share = Math.max(1, Math.floor(availableParallelism() / Math.max(1, Math.min(concurrency, jobs.length))));
  jobs = jobs.map((job) => (job.args.includes("--resume") || job.args.includes("--workers") ? job : { ...job, args: [...job.args, "--workers", String(share)] }));
  const results: Record<string, unknown>[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await runOne(jobs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

function runOne(job: TrainJob): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1]!, "train", ...job.args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) process.stderr.write(`[${job.label}] ${line}\n`);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`training ${job.label} exited with code ${code}`));
      else {
        try {
          resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}
