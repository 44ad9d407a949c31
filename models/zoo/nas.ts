/**
 * A small NAS-style network (DARTS / NASNet-like cells) for network-level scheduling: each
 * cell runs parallel branches on its input (3x3 conv, 1x1 -> 3x3 conv, 3x3 max pool,
 * depthwise 3x3 -> 1x1 conv), concatenates them, mixes with a 1x1 conv and adds the cell's
 * input. Not part of the zoo list (no published counts to check); tests and the schedule
 * bench build it directly.
 */
import { GraphBuilder, type BuildOptions } from './builder.ts';
import type { Graph } from '../graph.ts';

export interface NasParams {
  readonly batch: number;
  readonly resolution: number;
  readonly channels: number;
  readonly cells: number;
  readonly classes: number;
}

export function nasCellNet(p: NasParams, o: BuildOptions = {}, name = 'nas_cells'): Graph {
  const b = new GraphBuilder(name, o);
  let x = b.relu(b.conv(b.input('input', [p.batch, 3, p.resolution, p.resolution]), 'stem', { out: p.channels, k: 3 }), 'stem.relu');
  const c = p.channels;
  for (let i = 0; i < p.cells; i++) {
    const n = `cell${i}`;
    const b1 = b.relu(b.conv(x, `${n}.b1.conv3`, { out: c / 4, k: 3 }), `${n}.b1.relu`);
    const b2 = b.relu(b.conv(b.relu(b.conv(x, `${n}.b2.conv1`, { out: c / 4, k: 1 }), `${n}.b2.relu1`), `${n}.b2.conv3`, { out: c / 4, k: 3 }), `${n}.b2.relu2`);
    const b3 = b.conv(b.maxpool(x, `${n}.b3.pool`, 3, 1, 1), `${n}.b3.conv1`, { out: c / 4, k: 1 });
    const b4 = b.conv(b.conv(x, `${n}.b4.dw`, { out: c, k: 3, groups: c }), `${n}.b4.pw`, { out: c / 4, k: 1 });
    const cat = b.concat([b1, b2, b3, b4], `${n}.concat`, 1);
    x = b.relu(b.binary('add', b.conv(cat, `${n}.mix`, { out: c, k: 1 }), x, `${n}.residual`), `${n}.relu`);
  }
  b.output(b.linear(b.flatten(b.gap(x, 'pool'), 'flatten'), 'fc', p.classes));
  return b.g;
}
