/** A sweep file read as `bitweave sweep` reads it: every point expanded and checked, as `bitweave run` checks its options, before any runs. */
import { readInputText } from '../models/io/input-file.ts';
import { RunCache, resolveRun } from '../models/run-request.ts';
import { pointRequest } from '../sweep/point.ts';
import { parseSweepSpec, type SweepSpec } from '../sweep/spec.ts';
import { loadArch } from './arch-file.ts';

export function loadSweepFile(file: string): SweepSpec {
  const cache = new RunCache();
  return parseSweepSpec(readInputText(file, 'sweep file'), file, {
    loadArch,
    checkPoint: (config) => void resolveRun(pointRequest(config), cache),
  });
}
