/**
 * Synthesis check with Yosys (the WebAssembly build from npm, @yowasp/yosys): a module is
 * read, elaborated with its top, synthesized (`synth -top`), and `check -assert` fails on
 * problems (combinational loops, multiple drivers, undriven wires); latches are counted
 * from the synthesized cells ($_DLATCH_*, $dlatch) and must be none, and so must Yosys'
 * warnings (unintended logic shows there first: a truncated or extended port connection, a wire
 * used but never driven, a replaced memory or a removed register).
 * Modules named as black boxes are kept as cells with their ports (Yosys' `blackbox`): a design
 * that reuses modules checked on their own (the PE arithmetic inside an array) is checked
 * without synthesizing them again.
 */
import { Exit, runYosys } from '@yowasp/yosys';

export interface SynthResult {
  readonly top: string;
  readonly ok: boolean;
  /** cells by type after synth */
  readonly cells: Record<string, number>;
  readonly latches: number;
  /** Yosys' warnings, one per entry */
  readonly warnings: readonly string[];
  readonly log: string;
  /** wall seconds */
  readonly seconds: number;
  /** CPU seconds of this process during the run (Yosys runs in this thread): comparable under load */
  readonly cpuSeconds: number;
}

/**
 * 'full': synth (coarse and fine, abc to gates); 'coarse': synth up to the word-level netlist
 * (proc, opt, memory, alumacc: where latches and multiple drivers show), much faster.
 */
export type SynthDepth = 'full' | 'coarse';

export interface SynthOptions {
  readonly params?: Record<string, number>;
  /** modules kept as black boxes (their ports only) */
  readonly blackbox?: readonly string[];
}

export async function synthCheck(verilog: string, top: string, depth: SynthDepth = 'full', opts: SynthOptions = {}): Promise<SynthResult> {
  const chparam = Object.entries(opts.params ?? {}).map(([k, v]) => `chparam -set ${k} ${v} ${top}; `).join('');
  const bb = opts.blackbox !== undefined && opts.blackbox.length > 0 ? `blackbox ${opts.blackbox.join(' ')}; ` : '';
  const script = `read_verilog -sv design.v; ${bb}${chparam}hierarchy -check -top ${top}; synth -flatten -top ${top}${depth === 'coarse' ? ' -run begin:fine' : ''}; check -assert; stat -json; write_json netlist.json`;
  const chunks: string[] = [];
  const dec = new TextDecoder();
  const sink = (bytes: Uint8Array | null) => {
    if (bytes) chunks.push(dec.decode(bytes));
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
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
  const warnings = log.split('\n').filter((l) => /^Warning:/.test(l));
  const cpu = process.cpuUsage(c0);
  return {
    top, ok: ok && latches === 0 && warnings.length === 0, cells, latches, warnings, log,
    seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
