#!/usr/bin/env node
// The `bitweave` command: registers tsx's loader in this process and runs the TypeScript
// CLI, so there is one process to signal (a killed sweep dies at once, not its parent only).
import { register } from 'tsx/esm/api';

// `bitweave ... | head` closes the pipe early: that is not an error worth a stack trace
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
await import('../cli/main.ts');
