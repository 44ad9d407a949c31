/**
 * The size limits of every input: one table, so each limit is documented once (the README's
 * "Limits" table is checked against it by a test) and every refusal reads the same way:
 *
 *   <where>: <what> is <value>; the limit is <max> (raise it with --max <key>=N)
 *
 * Why limits at all: the simulator's time and memory grow with these sizes (timing is
 * O(folds), a result holds ~10 KB per layer, a functional layer holds its operands), so an
 * input that is too large must be refused before any work, not found out by a hang or an
 * out-of-memory crash an hour later. Each default is far above what real networks need; a
 * user who needs more raises it with `--max KEY=N` (a global option of the CLI), up to the
 * hard ceiling where the arithmetic would stop being exact (`hard`).
 *
 * Pure data and checks: the CLI parses `--max` and calls `setLimitOverrides`; sweep workers
 * get the same overrides from their pool (sweep/runner.ts).
 */
import { InputError } from './errors.ts';

export interface LimitSpec {
  /** the default */
  readonly max: number;
  /** the ceiling an override may not pass (exact integer arithmetic, typed-array sizes); absent: not overridable */
  readonly hard?: number;
  /** what is limited, as a phrase for the README and for messages */
  readonly what: string;
  /** why this default (one line, for the README) */
  readonly why: string;
}

const INT32_MAX = 2 ** 31 - 1;

export const LIMITS = {
  dim: {
    max: 2 ** 24, hard: INT32_MAX,
    what: 'a dimension of a layer (GEMM M, N, K; conv height, width, channels, filters, kernel, stride, dilation, padding)',
    why: "fold lengths are 32-bit integers; 16.7 M is over 300x GPT-2's 50,257-word vocabulary, the largest dimension in the zoo",
  },
  array_dim: {
    max: 65536, hard: INT32_MAX,
    what: 'rows or columns of the array',
    why: 'the reference engine and the traces hold a register per PE row and column',
  },
  folds: {
    max: 2 ** 22, hard: 2 ** 30,
    what: 'folds of one layer on the array',
    why: 'timing is O(folds): about 2 us and 60 bytes per fold (4 M folds: ~10 s, 250 MB)',
  },
  run_folds: {
    max: 2 ** 26, hard: 2 ** 40,
    what: 'folds of all layers of a run',
    why: 'bounds the time of a whole run (~2 minutes at the default)',
  },
  macs: {
    max: 2 ** 50, hard: 2 ** 50,
    what: 'MACs of a run (all layers, with their repeats)',
    why: 'every count (MACs, SRAM accesses, DRAM bytes) stays an exact integer in a double (2^53)',
  },
  layers: {
    max: 65536, hard: INT32_MAX,
    what: 'array layers of a workload (topology rows after depthwise rows are split into their channels)',
    why: 'a result holds about 10 KB per layer: 65,536 layers are ~1 GB at most',
  },
  functional_elements: {
    max: 2 ** 25, hard: 2 ** 30,
    what: 'operand elements of one functional layer (A, B and C together)',
    why: 'functional runs hold their operands as 8-byte bit patterns (32 M elements: 256 MB each)',
  },
  functional_macs: {
    max: 2 ** 32, hard: 2 ** 50,
    what: 'MACs of a functional run (--functional), every one through the PE arithmetic',
    why: 'about 60-200 M MAC/s (README benchmarks): 4.3 G MACs (ResNet-50 is 4.1 G) is under a minute or two',
  },
  reference_steps: {
    max: 2 ** 26, hard: 2 ** 40,
    what: 'PE-cycles of the per-cycle reference engine (rows x cols x cycles, all layers)',
    why: 'it moves every register every cycle: about 1.5 M PE-cycles/s (a 256x256x256 GEMM on 32x32 is 21 M PE-cycles, 15 s)',
  },
  scalesim_steps: {
    max: 2 ** 30, hard: 2 ** 40,
    what: "steps of SCALE-Sim's memory system under --compat scalesim (compute cycles x (rows + cols), all layers)",
    why: 'it serves the demand rows cycle by cycle, about 6-9 M steps/s (a 64x64x1,000,000 GEMM on 32x32 is 256 M steps: 44 s; ResNet-50 on 32x32 is 284 M): 1 G steps is two to three minutes',
  },
  scalesim_elements: {
    max: 2 ** 27, hard: 2 ** 31 - 1,
    what: "operand elements of one layer under --compat scalesim (M*K + K*N + M*N: SCALE-Sim's buffers hold a table entry per address)",
    why: 'about 5 bytes per element (a 64x64x1,000,000 GEMM, 128 M elements: 600 MB): 134 M elements is under 1 GB',
  },
  sweep_points: {
    max: 100000, hard: 2 ** 24,
    what: 'points of a sweep (counted from the grid and list sizes before any point is built)',
    why: 'each point is validated and holds its configuration before any runs',
  },
  input_bytes: {
    max: 64 * 2 ** 20, hard: 2 ** 31,
    what: 'bytes of a text input (arch, .cfg, sweep, topology CSV, result, baseline file, or stdin)',
    why: 'text inputs are read whole; real ones are kilobytes',
  },
  results_bytes: {
    max: 2 ** 30, hard: 2 ** 31,
    what: "bytes of a sweep's results.jsonl read back (--resume, sweep-merge, report)",
    why: 'about 1-2 KB per point: 1 GB is half a million points and more',
  },
  onnx_bytes: {
    max: 2 ** 30, hard: 2 ** 31,
    what: 'bytes of an ONNX file',
    why: 'the protobuf is decoded in memory (protobuf itself caps a message at 2 GB)',
  },
  tensor_elements: {
    max: 2 ** 28, hard: 2 ** 30,
    what: 'elements of one ONNX tensor (an initializer or Constant)',
    why: 'weights are held as float32 (256 M elements: 1 GB); sizes are also checked against the bytes the file holds',
  },
  samples: {
    max: 10 ** 7, hard: 2 ** 31,
    what: 'samples of bitweave precision mul (--samples)',
    why: 'about 1 s per million samples over all multiplier kinds',
  },
  yaml_aliases: {
    max: 100,
    what: 'aliases (*name) resolved in a YAML file',
    why: 'alias expansion is how a 252-byte file becomes gigabytes (the yaml library\'s maxAliasCount)',
  },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;

const overrides = new Map<LimitName, number>();

export function isLimitName(name: string): name is LimitName {
  return Object.hasOwn(LIMITS, name);
}

/** The limit in force: an override, or the default. */
export function limitOf(name: LimitName): number {
  return overrides.get(name) ?? LIMITS[name].max;
}

/** The overrides in force (for sweep workers, which start with none). */
export function limitOverrides(): Readonly<Record<string, number>> {
  return Object.fromEntries(overrides);
}

/** Replaces the overrides (checked: known names, integers from 1 up to the ceiling). */
export function setLimitOverrides(values: Readonly<Record<string, number>>): void {
  const next = new Map<LimitName, number>();
  for (const [name, v] of Object.entries(values)) {
    if (!isLimitName(name)) {
      throw new InputError(`--max: unknown limit '${name}'; limits: ${Object.keys(LIMITS).join(', ')}`);
    }
    const spec: LimitSpec = LIMITS[name];
    if (spec.hard === undefined) throw new InputError(`--max: the limit '${name}' (${spec.what}) cannot be changed`);
    if (!Number.isSafeInteger(v) || v < 1) throw new InputError(`--max ${name}: must be a positive integer, got ${v}`);
    if (v > spec.hard) {
      throw new InputError(`--max ${name}=${v}: at most ${spec.hard.toLocaleString('en-US')} (${spec.why})`);
    }
    next.set(name, v);
  }
  overrides.clear();
  for (const [k, v] of next) overrides.set(k, v);
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toLocaleString('en-US') : String(v));

/** The error for a value above its limit, saying how to raise it (where that is possible). */
export function overLimit(name: LimitName, value: number, where: string, what: string = LIMITS[name].what): InputError {
  const spec: LimitSpec = LIMITS[name];
  const max = limitOf(name);
  const raise = spec.hard !== undefined && max < spec.hard ? ` (raise it with --max ${name}=N)` : '';
  return new InputError(`${where}: ${what} is ${fmt(value)}; the limit is ${fmt(max)}${raise}`);
}

/** Throws when `value` is above the limit in force. */
export function checkLimit(name: LimitName, value: number, where: string, what?: string): void {
  if (!(value <= limitOf(name))) throw overLimit(name, value, where, what);
}
