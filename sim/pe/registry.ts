/**
 * The PE registry, the one entry point the rest of the simulator uses: `getPe(name, options)`
 * looks a kind up in the catalogue (catalogue.ts) and builds it (builder.ts).
 */
import { unknownName } from '../errors.ts';
import { applyOptions, buildPe, type PeOptions } from './builder.ts';
import { peNames, peSpec } from './catalogue.ts';
import type { PeKind } from './types.ts';

export { peNames, type PeOptions };

export function getPe(name: string, opts: PeOptions = {}): PeKind {
  const spec = peSpec(name);
  if (!spec) throw unknownName('PE kind', name, peNames());
  return buildPe(applyOptions(spec, opts), opts);
}

