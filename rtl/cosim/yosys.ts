/**
 * Synthesis check with Yosys (the WebAssembly build from npm, @yowasp/yosys): a module is
 * read, elaborated with its top, synthesized (`synth -top`), and `check -assert` fails on
 * problems (combinational loops, multiple drivers, undriven wires); latches are counted
 * from the synthesized cells ($_DLATCH_*, $dlatch) and must be none.
 */
import { Exit, runYosys } from '@yowasp/yosys';

export interface SynthResult {
  readonly top: string;
  readonly ok: boolean;
  /** cells by type after synth */
  readonly cells: Record<string, number>;
  readonly latches: number;
  readonly log: string;
  readonly seconds: number;
}

/**
 * 'full': synth (coarse and fine, abc to gates); 'coarse': synth up to the word-level netlist
 * (proc, opt, memory, alumacc: where latches and multiple drivers show), much faster.
 */
export type SynthDepth = 'full' | 'coarse';

export async function synthCheck(verilog: string, top: string, depth: SynthDepth = 'full', params: Record<string, number> = {}): Promise<SynthResult> {
  const chparam = Object.entries(params).map(([k, v]) => `chparam -set ${k} ${v} ${top}; `).join('');
  const script = `read_verilog -sv design.v; ${chparam}hierarchy -check -top ${top}; synth -flatten -top ${top}${depth === 'coarse' ? ' -run begin:fine' : ''}; check -assert; stat -json; write_json netlist.json`;
  const chunks: string[] = [];
  const dec = new TextDecoder();
  const sink = (bytes: Uint8Array | null) => {
    if (bytes) chunks.push(dec.decode(bytes));
  };
  const t0 = performance.now();
  let ok = true;
  let files: Record<string, unknown> = {};
  try {
    const out = await runYosys(['-q', '-p', script], { 'design.v': verilog }, { stdout: sink, stderr: sink });
    files = (out ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof Exit) ok = false;
    else throw e;
  }
  const log = chunks.join('');
  const cells: Record<string, number> = {};
  const nl = files['netlist.json'];
  if (ok && nl) {
    const json = JSON.parse(typeof nl === 'string' ? nl : dec.decode(nl as Uint8Array)) as {
      modules: Record<string, { cells: Record<string, { type: string }> }>;
    };
    for (const mod of Object.values(json.modules)) {
      for (const c of Object.values(mod.cells)) cells[c.type] = (cells[c.type] ?? 0) + 1;
    }
  }
  const latches = Object.entries(cells).filter(([t]) => /dlatch|DLATCH/i.test(t)).reduce((s, [, n]) => s + n, 0);
  return { top, ok: ok && latches === 0, cells, latches, log, seconds: (performance.now() - t0) / 1000 };
}
