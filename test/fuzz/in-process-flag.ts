/** Imported before cli/main.ts: tells it that it is a library here, not the program (test/fuzz/in-process.ts). */
(globalThis as { bitweaveInProcess?: boolean }).bitweaveInProcess = true;
