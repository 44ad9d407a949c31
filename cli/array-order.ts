/**
 * The array a functional run computes on, from --arch, --dataflow, --accumulate and --psum (the
 * order of additions and the partial-sum format) and the PE options (--acc ...): shared by the
 * commands that run a model through PE arithmetic (exec, generate).
 */
import type { ArrayOrder } from '../models/exec/array-backend.ts';
import { accumulateOf, parseArch, type ArchConfig } from '../sim/arch/schema.ts';
import { getFormat } from '../sim/pe/formats.ts';
import type { PeOptions } from '../sim/pe/registry.ts';
import { loadArch } from './arch-file.ts';
import { peOptionsFrom, type PeOptionArgs } from './options.ts';

export interface ArrayOrderArgs extends PeOptionArgs {
  arch?: string;
  dataflow?: string;
  accumulate?: string;
  psum?: string;
}

export function arrayOrderOf(args: ArrayOrderArgs): { arch: ArchConfig; order: ArrayOrder; peOptions: PeOptions } {
  const base = loadArch(args.arch ?? 'scale');
  const doc = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  if (args.dataflow !== undefined) doc.dataflow = args.dataflow.toLowerCase();
  if (args.accumulate !== undefined) doc.accumulate = args.accumulate;
  if (args.psum !== undefined) doc.psum = args.psum;
  const arch = parseArch(doc, `${args.arch ?? 'scale'}${args.dataflow ?? args.accumulate ?? args.psum ? ' (with command-line overrides)' : ''}`);
  const peOptions: PeOptions = { ...(arch.acc !== undefined && { acc: arch.acc }), ...peOptionsFrom(args) };
  const order: ArrayOrder = {
    dataflow: arch.dataflow, rows: arch.array.rows, accumulate: accumulateOf(arch),
    ...(arch.psum !== undefined && { psum: getFormat(arch.psum) }),
  };
  return { arch, order, peOptions };
}
