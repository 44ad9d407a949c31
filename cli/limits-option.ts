/**
 * `--max KEY=N` (global, repeatable): raise (or lower) a size limit of sim/limits.ts for this
 * command, e.g. `bitweave run --model big.csv --max layers=200000`. Sweep workers get the
 * same limits from the pool (sweep/runner.ts).
 */
import { LIMITS, setLimitOverrides } from '../sim/limits.ts';
import { UsageError } from './option-checks.ts';

export const MAX_OPTION = {
  type: 'string',
  array: true,
  // one KEY=N per --max: `bitweave --max layers=N run ...` must not read `run` as a second value
  nargs: 1,
  global: true,
  describe: `raise a size limit, KEY=N (repeatable; keys: ${Object.keys(LIMITS).filter((k) => (LIMITS as Record<string, { hard?: number }>)[k].hard !== undefined).join(', ')}; see the README's Limits table)`,
} as const;

/** Sets the limits of this command line (none given: the defaults, also after an earlier in-process run). */
export function applyMaxOption(values: readonly unknown[] | undefined): void {
  const overrides: Record<string, number> = {};
  for (const item of values ?? []) {
    for (const part of String(item).split(',')) {
      const m = /^\s*([a-z_]+)\s*=\s*([0-9][0-9_]*(?:\.[0-9]+)?(?:e[+]?[0-9]+)?)\s*$/i.exec(part);
      if (!m) throw new UsageError(`--max takes KEY=N (e.g. --max layers=200000), got '${part}'`);
      const v = Number(m[2].replace(/_/g, ''));
      if (overrides[m[1]] !== undefined) throw new UsageError(`--max ${m[1]} was given twice`);
      overrides[m[1]] = v;
    }
  }
  try {
    setLimitOverrides(overrides);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The --max values of a raw command line. Limits are set before yargs parses it: an option's
 * own check (`--samples 2e7`) runs while parsing, and must see `--max samples=...` already.
 */
export function maxValuesIn(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--max' && i + 1 < argv.length) out.push(argv[++i]);
    else if (a.startsWith('--max=')) out.push(a.slice('--max='.length));
  }
  return out;
}
