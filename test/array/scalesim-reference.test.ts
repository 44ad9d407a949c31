/**
 * SCALE-Sim parity against SCALE-Sim itself: the report CSVs unmodified SCALE-Sim v2 wrote for
 * 14 cases (test/fixtures/scalesim-v2/, its README), compared number by number with the
 * reports `bitweave run --arch CASE.cfg --model TOPOLOGY.csv --compat scalesim` writes (the same
 * request, through the same pipeline, into the same report writer).
 *
 * Every column of every report is either claimed (REPRODUCED, per interface-bandwidth mode)
 * or listed with the reason it is not (NOT_REPRODUCED; empty now: all are claimed, in both
 * modes); a column in neither fails, so a new column has to be classified.
 * The README's "SCALE-Sim parity" section names the same columns (checked below).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScaleSimCfg } from '../../sim/arch/scalesim-cfg.ts';
import { runRequest } from '../../models/run-request.ts';
import { bandwidthReport, computeReport, detailedAccessReport } from '../../reports/scalesim-csv.ts';
import type { SimResult } from '../../sim/result.ts';

const FIXTURES = new URL('../fixtures/scalesim-v2/', import.meta.url);
const TOPOLOGIES = new URL('../../models/data/scalesim/topologies/', import.meta.url);
const README = new URL('../../README.md', import.meta.url);

const CASES = [
  'a_default_alexnet', 'a_default_gemm_test_mnk', 'a_default_resnet18', 'a_default_transformer_partial',
  'b_alexnet_32x32_os', 'b_alexnet_32x32_ws', 'b_alexnet_32x32_is',
  'tiny_8x8_os', 'tiny_8x8_ws', 'tiny_8x8_is',
  'c2_tiny_8x8_os_user', 'c2_tiny_8x8_ws_user', 'c2_tiny_8x8_is_user',
  'd_alexnet_32x32_ws_user_bw10',
] as const;

type Mode = 'CALC' | 'USER';
const REPORTS = {
  'COMPUTE_REPORT.csv': computeReport,
  'BANDWIDTH_REPORT.csv': bandwidthReport,
  'DETAILED_ACCESS_REPORT.csv': detailedAccessReport,
} as const satisfies Record<string, (r: SimResult) => string>;
type Report = keyof typeof REPORTS;

/**
 * The columns bitweave reproduces, and under which interface bandwidth (InterfaceBandwidth).
 * Every column of the three reports, in both modes: the DRAM columns and the SRAM and DRAM
 * start/stop cycles come from the port of SCALE-Sim's memory system (sim/memory/scalesim/),
 * and so do the stalls of USER mode (its read buffers fetching at the cfg's bandwidth).
 */
const BOTH: readonly Mode[] = ['CALC', 'USER'];
const REPRODUCED: Readonly<Record<Report, Readonly<Record<string, readonly Mode[]>>>> = {
  'COMPUTE_REPORT.csv': {
    'Total Cycles': BOTH,
    'Stall Cycles': BOTH,
    'Overall Util %': BOTH,
    'Mapping Efficiency %': BOTH,
    'Compute Util %': BOTH,
  },
  'BANDWIDTH_REPORT.csv': {
    'Avg IFMAP SRAM BW': BOTH,
    'Avg FILTER SRAM BW': BOTH,
    'Avg OFMAP SRAM BW': BOTH,
    'Avg IFMAP DRAM BW': BOTH,
    'Avg FILTER DRAM BW': BOTH,
    'Avg OFMAP DRAM BW': BOTH,
  },
  'DETAILED_ACCESS_REPORT.csv': Object.fromEntries(
    ['IFMAP', 'Filter', 'OFMAP'].flatMap((op) => {
      const count = op === 'OFMAP' ? 'Writes' : 'Reads';
      return ['SRAM', 'DRAM'].flatMap((mem) => [`${mem} ${op} Start Cycle`, `${mem} ${op} Stop Cycle`, `${mem} ${op} ${count}`]);
    }).map((col) => [col, BOTH]),
  ),
};

/** Columns not reproduced, with the reason (none at present; a new column goes here or above). */
const NOT_REPRODUCED: Readonly<Record<string, string>> = {};

/** Columns holding counts (cycles, words): compared exactly. */
const COUNTS = new Set(['LayerID', 'Total Cycles', 'Stall Cycles', ...Object.keys(REPRODUCED['DETAILED_ACCESS_REPORT.csv'])]);

/**
 * Ratios (percentages, words per cycle) are compared to 1e-9 relative: SCALE-Sim computes them
 * in numpy with another order of operations (e.g. a mean of per-fold ratios), which moves the
 * last bits of a double (~1e-15), while one count off by one among at most ~1e7 moves a ratio
 * by at least 1e-7.
 */
const RATIO_TOL = 1e-9;

interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly number[])[];
}

/** A SCALE-Sim report: `a, b, c,` lines, numbers in Python's or JavaScript's formatting. */
function parseReport(text: string, what: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const cells = (l: string) => l.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const header = cells(lines[0]);
  const rows = lines.slice(1).map((l, i) => {
    const row = cells(l).map(Number);
    if (row.length !== header.length || row.some((v) => !Number.isFinite(v))) throw new Error(`${what}: line ${i + 2} is not ${header.length} numbers: ${l}`);
    return row;
  });
  return { header, rows };
}

function caseFile(name: string, file: string): string {
  return readFileSync(new URL(`${name}/${file}`, FIXTURES), 'utf8');
}

/** The cfg and topology of a case, from its command line. */
function caseInputs(name: string): { cfg: string; topology: string; mode: Mode } {
  const command = caseFile(name, 'command.txt');
  const cfg = /-c\s+(\S+)/.exec(command)?.[1];
  const topo = /-t\s+(\S+)/.exec(command)?.[1];
  if (cfg === undefined || topo === undefined) throw new Error(`${name}/command.txt: no -c / -t`);
  const local = new URL(`${name}/${topo}`, FIXTURES);
  const own = ['conv_nets', 'GEMM_mnk'].map((d) => new URL(`${d}/${topo}`, TOPOLOGIES)).find((u) => existsSync(u));
  const topology = existsSync(local) ? local : own;
  if (topology === undefined) throw new Error(`${name}: topology ${topo} is neither in the case folder nor in models/data/scalesim/topologies/`);
  const parsed = parseScaleSimCfg(caseFile(name, cfg), cfg);
  return { cfg, topology: topology.pathname, mode: parsed.interfaceBandwidth };
}

describe('SCALE-Sim parity: SCALE-Sim v2\'s own reports', () => {
  it('the 14 reference runs are all there, each with its cfg, command and three reports', () => {
    const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual([...CASES].sort());
    for (const name of CASES) {
      for (const f of [...Object.keys(REPORTS), 'command.txt']) expect(existsSync(new URL(`${name}/${f}`, FIXTURES)), `${name}/${f}`).toBe(true);
      expect(() => caseInputs(name), name).not.toThrow();
    }
  });

  it('every column of every report is claimed or listed as not reproduced, with a reason', () => {
    for (const report of Object.keys(REPORTS) as Report[]) {
      const { header } = parseReport(caseFile(CASES[0], report), report);
      for (const col of header.slice(1)) {
        const claimed = col in REPRODUCED[report];
        expect(claimed || col in NOT_REPRODUCED, `${report}: ${col}`).toBe(true);
        expect(claimed && col in NOT_REPRODUCED, `${report}: ${col} both claimed and not`).toBe(false);
      }
    }
  });

  it('the README names exactly the claimed columns: those of every case, and those of CALC cases only', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf('### SCALE-Sim parity');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const bullets = section.split('\n- ').slice(1).map((b) => b.split('\n\n')[0]);
    const named = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((c) => Object.values(REPRODUCED).some((r) => c in r)).sort();
    const claimed = (all: boolean) => Object.values(REPRODUCED).flatMap((r) => Object.entries(r).filter(([, m]) => m.includes('USER') === all).map(([c]) => c)).sort();
    const every = bullets.find((b) => b.startsWith('in every case'));
    const calc = bullets.find((b) => b.includes('InterfaceBandwidth: CALC'));
    expect(every && named(every)).toEqual(claimed(true));
    // a bullet for CALC-only columns exactly when there are some
    expect(calc === undefined ? [] : named(calc)).toEqual(claimed(false));
  });

  for (const name of CASES) {
    it(`${name}: every claimed number equals SCALE-Sim's`, async () => {
      const { cfg, topology, mode } = caseInputs(name);
      const arch = parseScaleSimCfg(caseFile(name, cfg), cfg).arch;
      const result = await runRequest({ arch, model: topology, compat: 'scalesim' });
      let compared = 0;
      for (const [report, write] of Object.entries(REPORTS) as [Report, (r: SimResult) => string][]) {
        const theirs = parseReport(caseFile(name, report), `${name}/${report}`);
        const ours = parseReport(write(result), `bitweave ${report}`);
        expect(ours.header, report).toEqual(theirs.header);
        expect(ours.rows.length, `${name}/${report}: layers`).toBe(theirs.rows.length);
        theirs.header.forEach((col, j) => {
          const modes = col === 'LayerID' ? ['CALC', 'USER'] : REPRODUCED[report][col];
          if (modes === undefined || !modes.includes(mode)) return;
          theirs.rows.forEach((row, i) => {
            const what = `${name}/${report} layer ${i}: ${col}`;
            if (COUNTS.has(col)) expect(ours.rows[i][j], what).toBe(row[j]);
            else expect(Math.abs(ours.rows[i][j] - row[j]), what).toBeLessThanOrEqual(RATIO_TOL * Math.abs(row[j]));
            compared++;
          });
        });
      }
      // a case compares every column of its three reports (LayerID each time) on every layer
      const columns = Object.values(REPRODUCED).reduce((n, r) => n + Object.keys(r).length, 0) + 3;
      expect(compared).toBe(columns * parseReport(caseFile(name, 'COMPUTE_REPORT.csv'), name).rows.length);
    });
  }
});
