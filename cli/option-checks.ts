/**
 * Checking the command line before any work: one mechanism for every command.
 *
 * - `strictCommand(module)` makes every option that takes a value demand one (`--gemm` with
 *   nothing after it, or `--gemm -5x5x5`, whose value yargs would otherwise read as flags, is
 *   an error that names the option) and checks the parsed values before the handler runs
 *   (`checkParsedArgs`): a number that is not one (yargs turns `--bandwidth abc` into NaN) and
 *   an option given twice are errors.
 * - `numberOption(flag, spec)` declares a numeric option read strictly from its text:
 *   integers where integers are meant (`--seed 1.5` and `--seed abc` are errors, not 1 and 0),
 *   a range, a limit of sim/limits.ts.
 * - `UsageError` is what yargs' own checks (unknown options, missing required options and
 *   commands) become: thrown from the `.fail()` handler, so the command never runs.
 */
import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../sim/errors.ts';
import { checkLimit, type LimitName } from '../sim/limits.ts';

/** A command line yargs refused (unknown option, missing option or command): exit 2. */
export class UsageError extends InputError {}

interface YargsOptionTable {
  string: string[];
  number: string[];
  array: string[];
  boolean: string[];
}

function optionTable(y: Argv): YargsOptionTable {
  return (y as unknown as { getOptions(): YargsOptionTable }).getOptions();
}

/** options whose bare flag means something (`--trace` alone is `--trace all`): exempt from demanding a value */
const BARE_FLAG_OPTIONS = new Set<string>();

/** Declares an option that may be given without a value (yargs then passes ''), e.g. `--trace`. */
export function bareFlagOption<D extends object>(name: string, def: D): D {
  BARE_FLAG_OPTIONS.add(name);
  return def;
}

/** The options of a command demand their values, and the parsed values are checked before it runs. */
export function strictCommand<T, U>(mod: CommandModule<T, U>): CommandModule<T, U> {
  const builder = mod.builder;
  return {
    ...mod,
    builder: (y: Argv<T>) => {
      const built = (typeof builder === 'function' ? builder(y) : builder !== undefined ? y.options(builder) : y) as Argv<U>;
      const o = optionTable(built);
      const valued = [...new Set([...o.string, ...o.number])].filter((k) => !o.boolean.includes(k) && !BARE_FLAG_OPTIONS.has(k));
      if (valued.length > 0) built.requiresArg(valued);
      return built;
    },
  };
}

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Middleware: every number option holds a number, and no single-valued option was given
 * twice (yargs would pass an array to a handler that expects one value).
 */
export function checkParsedArgs(argv: Record<string, unknown>, y: Argv): void {
  const o = optionTable(y);
  const arrays = new Set(o.array);
  for (const key of new Set([...o.string, ...o.number])) {
    const v = argv[key];
    if (Array.isArray(v) && !arrays.has(key)) throw new UsageError(`${flag(key)} was given ${v.length} times; give it once`);
  }
  for (const key of o.number) {
    const v = argv[key];
    if (typeof v === 'number' && !Number.isFinite(v)) throw new UsageError(`${flag(key)} must be a number, got '${String(v)}'`);
  }
}

export interface NumberSpec {
  readonly describe: string;
  readonly default?: number;
  readonly defaultDescription?: string;
  /** only whole numbers */
  readonly integer?: boolean;
  /** inclusive bounds */
  readonly min?: number;
  readonly max?: number;
  /** above zero (for reals: 0.5 passes, 0 does not) */
  readonly positive?: boolean;
  /** a limit of sim/limits.ts the value may not pass */
  readonly limit?: LimitName;
}

/**
 * Parses one numeric option value. yargs hands over a number when the text looks like one
 * (decimal, exponent or 0x hex) and the text itself otherwise, so the message can quote it.
 */
export function parseNumberArg(name: string, v: unknown, spec: Omit<NumberSpec, 'describe'>): number {
  if (Array.isArray(v)) throw new UsageError(`${name} was given ${v.length} times; give it once`);
  if (typeof v === 'string' && v.trim() === '') throw new UsageError(`${name} needs a value`);
  if (typeof v !== 'number') throw new UsageError(`${name} must be a${spec.integer ? 'n integer' : ' number'}, got '${String(v)}'`);
  if (!Number.isFinite(v)) throw new UsageError(`${name} must be a finite number, got ${v}`);
  if (spec.integer && !Number.isSafeInteger(v)) {
    throw new UsageError(`${name} must be an integer${Number.isInteger(v) ? ` of at most ${Number.MAX_SAFE_INTEGER}` : ''}, got ${v}`);
  }
  if (spec.positive && !(v > 0)) throw new UsageError(`${name} must be positive, got ${v}`);
  if (spec.min !== undefined && v < spec.min) {
    throw new UsageError(spec.integer && spec.min === 1 ? `${name} must be a positive integer, got ${v}` : `${name} must be at least ${spec.min}, got ${v}`);
  }
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`${name} must be at most ${spec.max}, got ${v}`);
  if (spec.limit !== undefined) checkLimit(spec.limit, v, name, 'the value');
  return v;
}

/** What numberOption gives yargs: a value demanded, read strictly; `default` present when given. */
export interface NumberOptionDef {
  readonly describe: string;
  readonly requiresArg: true;
  readonly default?: number;
  readonly defaultDescription?: string;
  readonly coerce: (v: unknown) => number;
}

/** A numeric option, read strictly (see parseNumberArg). */
export function numberOption(name: string, spec: NumberSpec & { default: number }): NumberOptionDef & { readonly default: number };
export function numberOption(name: string, spec: NumberSpec): NumberOptionDef;
export function numberOption(name: string, spec: NumberSpec): NumberOptionDef {
  const { describe, default: dflt, defaultDescription, ...rules } = spec;
  return {
    describe,
    requiresArg: true,
    ...(dflt !== undefined && { default: dflt }),
    ...(defaultDescription !== undefined && { defaultDescription }),
    coerce: (v: unknown): number => parseNumberArg(`--${name}`, v, rules),
  };
}

/** An integer option (a count, a seed). */
export function integerOption(name: string, spec: Omit<NumberSpec, 'integer'> & { default: number }): NumberOptionDef & { readonly default: number };
export function integerOption(name: string, spec: Omit<NumberSpec, 'integer'>): NumberOptionDef;
export function integerOption(name: string, spec: Omit<NumberSpec, 'integer'>): NumberOptionDef {
  return numberOption(name, { ...spec, integer: true });
}

/** The CPU cores of this machine: the most --jobs a run takes without --force. */
export function coreCount(): number {
  return availableParallelism();
}

/** `--jobs N`: a positive integer, at most the core count unless `--force`. */
export function checkJobs(jobs: number, force: boolean | undefined): number {
  const cores = coreCount();
  if (jobs > cores && force !== true) {
    throw new UsageError(
      `--jobs ${jobs} is more than the ${cores} cores of this machine (each job is a thread with its own memory); ` +
        'give --force to run that many anyway',
    );
  }
  return jobs;
}

/** The --jobs and --force options of commands that run worker threads. */
export const JOBS_OPTIONS = {
  jobs: integerOption('jobs', { describe: 'worker threads (at most the core count unless --force)', default: 1, min: 1, max: 4096 }),
  force: { type: 'boolean', default: false, describe: 'allow --jobs above the core count' },
} as const;
