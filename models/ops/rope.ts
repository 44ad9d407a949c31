/**
 * Rotary position embedding on x [B, S, H*dh], positions offset .. offset + S - 1,
 * rotate-half pairing; 3 passes per element on the vector unit.
 */
import { shapeStr, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export interface RopeNode extends NodeBase {
  readonly op: 'rope';
  readonly heads: number;
  readonly offset: number;
  readonly base: number;
}

export const ROPE: OperatorDef<RopeNode> = {
  ops: ['rope'],
  inferShape(s, node) {
    const x = s.sh(0);
    if (x.length !== 3) s.fail(`input must be [B, S, D], got ${shapeStr(x)}`);
    if (x[2] % node.heads !== 0 || (x[2] / node.heads) % 2 !== 0) s.fail(`width ${x[2]} not ${node.heads} heads of even size`);
    return [...x];
  },
  lower(ctx, node) {
    ctx.vector('rope', ctx.outElements, 3);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { outShape, outN, vr } = ctx;
    const x = ctx.val(0);
    const [b, s, d] = outShape;
    const dh = d / node.heads, half = dh / 2;
    const o = new Float32Array(outN);
    for (let p = 0; p < s; p++) {
      const pos = node.offset + p;
      for (let i = 0; i < half; i++) {
        const theta = pos * Math.pow(node.base, (-2 * i) / dh);
        const cs = Math.fround(Math.cos(theta)), sn = Math.fround(Math.sin(theta));
        for (let bb = 0; bb < b; bb++) {
          for (let h = 0; h < node.heads; h++) {
            const base = (bb * s + p) * d + h * dh;
            const x1 = x[base + i], x2 = x[base + i + half];
            o[base + i] = vr(vr(x1 * cs) - vr(x2 * sn));
            o[base + i + half] = vr(vr(x2 * cs) + vr(x1 * sn));
          }
        }
      }
    }
    return o;
  },
};
