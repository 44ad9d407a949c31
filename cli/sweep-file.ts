/** A sweep file read as `bitweave sweep` reads it: every point expanded and checked before any runs. */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';
import { getPe } from '../sim/pe/registry.ts';
import { loadWorkload } from '../models/workload.ts';
import { parseSweepSpec, type SweepSpec } from '../sweep/spec.ts';
import { loadArch } from './arch-file.ts';

export function loadSweepFile(file: string): SweepSpec {
  if (!existsSync(file)) throw new InputError(`sweep file '${file}' does not exist`);
  return parseSweepSpec(readFileSync(file, 'utf8'), file, {
    loadArch,
    checkPe: (name) => void getPe(name),
    checkModel: (source) => void loadWorkload(source),
  });
}
