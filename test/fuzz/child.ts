/**
 * The fuzz driver's child process: the CLI loaded once, command lines run in-process as the
 * driver sends them over IPC (a crash, a hang or a memory blow-up takes only this process).
 */
import { runInProcess } from './in-process.ts';

interface Request {
  readonly id: number;
  readonly args: readonly string[];
  readonly stdin: string;
}

const send = (m: unknown) => process.send?.(m);
process.on('message', (m: Request) => {
  runInProcess(m.args, m.stdin).then(
    (r) => send({ id: m.id, ...r }),
    (e: unknown) => send({ id: m.id, thrown: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }),
  );
});
// the IPC channel keeps the process alive; the driver ends it
send({ ready: true });
