/**
 * GELU for a reader that rounds into a narrow format (models/exec/fusion.ts: a language model's
 * GELU read by an fp8 linear layer alone; vector-rows.wat geluNarrow) against the exact chain
 * (erf's rows with GELU's steps, the bits the unfused nodes give), on every fp32 input: each of
 * the 2^32 bit patterns, for each format a PE kind's activations are rounded into at scale 1
 * (ArrayBackend.inputRounding). Both outputs are rounded into the format by the kind's own
 * quantizer and must give the same code; a difference exits 1. The fast rows' figures (fp32, an
 * allowance for their difference from the exact chain) are what this proves enough, input by
 * input (`npm run gelu-check`, a process per format side by side, about three minutes).
 *
 *   npx tsx test/lm/gelu-narrow-all.ts [pe ...]
 */
import { execFile } from 'node:child_process';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { GELU_EXPORTED, vectorRows } from '../../models/exec/wasm/vector-rows.ts';
import { fp32Quantizer } from '../../sim/pe/fp32-quantizer.ts';
import { getPe, peNames } from '../../sim/pe/registry.ts';

/** inputs per call: 2^22 consecutive bit patterns */
const CHUNK = 2 ** 22;

interface Done { pe: string; inputs: number; differ: number; exactGroups: number; first: string[] }

function check(pe: string): Done {
  const kind = getPe(pe);
  const f = arrayBackend(kind, { dataflow: 'os', rows: 32 }).inputRounding?.();
  const q = kind.input.kind === 'float' ? fp32Quantizer(kind.input, kind.quantizeOptions) : undefined;
  const vr = vectorRows();
  if (!f || !q?.many || !vr) throw new Error(`${pe}: no rounding rows for its activations`);
  const bits = new Uint32Array(CHUNK), x = new Float32Array(bits.buffer);
  const fast = new Float32Array(CHUNK), exact = new Float32Array(CHUNK);
  const cf = new Uint32Array(CHUNK), ce = new Uint32Array(CHUNK);
  let differ = 0;
  const left = vr.geluExactGroups;
  const first: string[] = [];
  for (let base = 0; base < 2 ** 32; base += CHUNK) {
    for (let i = 0; i < CHUNK; i++) bits[i] = base + i;
    if (!vr.geluNarrow(x, fast, f) || !vr.erf(x, exact, GELU_EXPORTED)) throw new Error(`${pe}: the rows declined ${CHUNK} inputs`);
    q.many(fast, cf);
    q.many(exact, ce);
    for (let i = 0; i < CHUNK; i++) {
      if (cf[i] !== ce[i]) {
        differ++;
        if (first.length < 5) first.push(`x ${x[i]} (0x${bits[i].toString(16)}): ${fast[i]} -> ${cf[i]}, exact ${exact[i]} -> ${ce[i]}`);
      }
    }
  }
  return { pe, inputs: 2 ** 32, differ, exactGroups: vr.geluExactGroups - left, first };
}

if (process.argv[2] === '--one') {
  process.stdout.write(JSON.stringify(check(process.argv[3])));
} else {
  const asked = process.argv.slice(2);
  // one kind per format its activations are rounded into
  const formats = new Map<string, string>();
  for (const name of asked.length ? asked : peNames()) {
    const f = arrayBackend(getPe(name), { dataflow: 'os', rows: 32 }).inputRounding?.();
    if (f && !formats.has(JSON.stringify(f))) formats.set(JSON.stringify(f), name);
  }
  // no format to check (the WebAssembly rows off, or no such kind named) proves nothing
  if (formats.size === 0) {
    console.error('gelu-check: no PE kind rounds its activations through the rows here');
    process.exit(1);
  }
  const file = new URL(import.meta.url).pathname;
  const t0 = Date.now();
  // a child process per format (this file with this process's flags: tsx's loader)
  const results = await Promise.all([...formats.values()].map((pe) => new Promise<Done>((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, file, '--one', pe], { maxBuffer: 2 ** 20 }, (err, out) => {
      if (err) reject(err);
      else resolve(JSON.parse(out) as Done);
    });
  })));
  let failed = 0;
  for (const r of results) {
    console.log(`${r.pe}: ${r.inputs} fp32 inputs, ${r.differ} rounded differently, ${(100 * (1 - (4 * r.exactGroups) / r.inputs)).toFixed(1)}% from the fast rows (${r.exactGroups} groups of four from the exact chain)`);
    for (const line of r.first) console.log(`  ${line}`);
    if (r.differ > 0) failed++;
  }
  console.log(`${results.length} formats in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(failed ? 1 : 0);
}
