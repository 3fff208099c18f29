#!/usr/bin/env node
/**
 * `scimgw` executable: runs the CLI and shuts down gracefully on SIGTERM/SIGINT, each instance
 * within its `kubernetes.shutdownTimeout`.
 */
import { runCli } from './cli-main.js';
import { stopOnSignals } from './shutdown.js';

const result = await runCli(process.argv.slice(2));
if (typeof result === 'number') process.exitCode = result;
else stopOnSignals(result);
