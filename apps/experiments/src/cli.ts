#!/usr/bin/env node
import { main } from "./main.js";

// The `rl3` executable: everything else is in main.ts, which tests run in-process.
process.exitCode = await main(process.argv.slice(2));
