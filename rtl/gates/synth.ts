/**
 * Synthesis of the gate-level netlists (`npm run gates-synth`): every unit of rtl/gates/units.ts
 * through Yosys (the WebAssembly build from npm, @yowasp/yosys) to the generic gates NOT, AND,
 * NAND, NOR, XOR (each one cell of the NanGate FreePDK45 library, sim/cost/tables/nangate45.ts)
 * and positive-edge D flip-flops, converted to bitweave's compact form (rtl/gates/convert.ts)
 * and written to rtl/netlists/UNIT.json, with rtl/netlists/manifest.json (cell counts per
 * unit, and which units make each design).
 *
 *   npx tsx rtl/gates/synth.ts                 synthesize what changed (the source hash differs)
 *   npx tsx rtl/gates/synth.ts --force         everything
 *   npx tsx rtl/gates/synth.ts --only ID,...   these units
 *   npx tsx rtl/gates/synth.ts --shard i/n     every n-th unit (run shards in parallel)
 *   npx tsx rtl/gates/synth.ts --check         synthesize again and compare with the committed
 *                                              netlists (exit 1 on any difference); writes nothing
 * Full synthesis takes 10-90 s per unit on a loaded 2-core machine.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Exit, runYosys } from '@yowasp/yosys';
import type { Netlist } from '../../sim/cost/gates/netlist.ts';
import { convertYosys, type YosysJson } from './convert.ts';
import { committedLibrary, NETLIST_DIR } from './library.ts';
import { calibrationFactors } from '../../sim/cost/gates/calibrate.ts';
import { gateUnits, unitHash, type GateUnit } from './units.ts';

export const GATE_SET = 'AND,NAND,NOR,XOR';
const YOSYS_VERSION = '0.55 (@yowasp/yosys 0.55.944)';

export function synthScript(u: Pick<GateUnit, 'kind'>): string {
  return u.kind === 'comb'
    ? `read_verilog -sv unit.v; hierarchy -check -top unit_top; synth -flatten -top unit_top -noabc; abc -g ${GATE_SET}; opt_clean -purge; check -assert; write_json netlist.json`
    : `read_verilog -sv unit.v; hierarchy -check -top unit_top; synth -top unit_top -noabc; dfflegalize -cell $_DFF_P_ 01; abc -g ${GATE_SET}; opt_clean -purge; check -assert; write_json netlist.json`;
}

/** The source key of a unit: its Verilog, black boxes and synthesis script. */
export function sourceKey(u: GateUnit): string {
  return unitHash({ kind: u.kind, verilog: `${synthScript(u)}\n${u.verilog}`, blackbox: u.blackbox });
}

/** Runs Yosys on one unit and returns its compact netlist. */
export async function synthesizeUnit(u: GateUnit): Promise<{ netlist: Netlist; seconds: number }> {
  const t0 = performance.now();
  const chunks: string[] = [];
  const dec = new TextDecoder();
  const sink = (bytes: Uint8Array | null) => {
    if (bytes) chunks.push(dec.decode(bytes));
  };
  const script = synthScript(u);
  let files: Record<string, unknown> = {};
  try {
    files = ((await runYosys(['-q', '-p', script], { 'unit.v': u.verilog }, { stdout: sink, stderr: sink })) ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof Exit) throw new Error(`${u.id}: Yosys failed:\n${chunks.join('').slice(-2000)}`);
    throw e;
  }
  const raw = files['netlist.json'];
  if (raw === undefined) throw new Error(`${u.id}: Yosys wrote no netlist:\n${chunks.join('').slice(-2000)}`);
  const json = JSON.parse(typeof raw === 'string' ? raw : dec.decode(raw as Uint8Array)) as YosysJson;
  const netlist = convertYosys(json, {
    id: u.id, kind: u.kind, description: u.description, source: sourceKey(u), yosys: YOSYS_VERSION, script, top: 'unit_top',
  });
  return { netlist, seconds: (performance.now() - t0) / 1000 };
}

/** The netlist as stored: one JSON object, the cell list on one line. */
export function netlistText(n: Netlist): string {
  const { cells, ...rest } = n;
  // arrays of numbers on one line each
  const head = JSON.stringify(rest, null, 1).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_m, xs: string) => `[${xs.replace(/\s+/g, '')}]`);
  return `${head.slice(0, -2)},\n "cells": ${JSON.stringify(cells)}\n}\n`;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export interface Manifest {
  readonly format: 'bitweave-netlists/1';
  readonly yosys: string;
  readonly gate_set: string;
  readonly units: Readonly<Record<string, { readonly source: string; readonly description: string; readonly kind: string; readonly cells: number; readonly counts: Readonly<Record<string, number>>; readonly registers?: Readonly<Record<string, number>> }>>;
  readonly designs: ReturnType<typeof gateUnits>['designs'];
  /** the calibration and papers' units, by role -> unit id (a role may share a PE's unit) */
  readonly extras: ReturnType<typeof gateUnits>['extras'];
  readonly calibration?: { readonly energy_scale: number; readonly area_scale: number };
}

function readCommitted(id: string): Netlist | undefined {
  const p = join(NETLIST_DIR, `${id}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Netlist) : undefined;
}

function writeManifest(units: readonly GateUnit[], designs: ReturnType<typeof gateUnits>['designs'], extras: ReturnType<typeof gateUnits>['extras']): void {
  const entries: Manifest['units'] = Object.fromEntries(units.flatMap((u) => {
    const n = readCommitted(u.id);
    if (n === undefined) return [];
    return [[u.id, {
      source: n.source, description: n.description, kind: n.kind, cells: n.cells.length / 4, counts: n.counts,
      ...(n.registers !== undefined && { registers: n.registers }),
    }]];
  }));
  const m: Manifest = { format: 'bitweave-netlists/1', yosys: YOSYS_VERSION, gate_set: `NOT,${GATE_SET} + $_DFF_P_`, units: entries, designs, extras };
  const path = join(NETLIST_DIR, 'manifest.json');
  writeAtomic(path, JSON.stringify(m, null, 1) + '\n');
  // the calibration factors of these netlists, so a run need not compute them (a test checks them)
  const calibration = calibrationFactors(committedLibrary(NETLIST_DIR, true));
  writeAtomic(path, JSON.stringify({ ...m, calibration }, null, 1) + '\n');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const flag = (f: string) => argv.includes(f);
  const value = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const { units, designs, extras } = gateUnits();
  let todo = units;
  const only = value('--only');
  if (only !== undefined) {
    const want = new Set(only.split(','));
    const unknown = [...want].filter((w) => !units.some((u) => u.id === w));
    if (unknown.length > 0) {
      console.error(`unknown unit(s): ${unknown.join(', ')}; units: ${units.map((u) => u.id).join(', ')}`);
      return 2;
    }
    todo = units.filter((u) => want.has(u.id));
  }
  const shard = value('--shard');
  if (shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
      console.error(`--shard must be i/n with 1 <= i <= n, got ${shard}`);
      return 2;
    }
    const i = Number(m[1]) - 1, n = Number(m[2]);
    todo = todo.filter((_, k) => k % n === i);
  }
  const check = flag('--check');
  const force = flag('--force') || check;
  mkdirSync(NETLIST_DIR, { recursive: true });
  let failures = 0, done = 0;
  const t0 = performance.now();
  for (const u of todo) {
    const old = readCommitted(u.id);
    if (!force && old?.source === sourceKey(u)) continue;
    const { netlist, seconds } = await synthesizeUnit(u);
    const cells = netlist.cells.length / 4;
    done++;
    if (check) {
      const same = old !== undefined && netlistText(old) === netlistText(netlist);
      if (!same) failures++;
      console.log(`${u.id.padEnd(40)} ${same ? 'same' : old === undefined ? 'NOT COMMITTED' : 'DIFFERENT'} ${String(cells).padStart(6)} cells  ${seconds.toFixed(1)} s`);
    } else {
      writeAtomic(join(NETLIST_DIR, `${u.id}.json`), netlistText(netlist));
      console.log(`${u.id.padEnd(40)} ${String(cells).padStart(6)} cells  ${JSON.stringify(netlist.counts)}  ${seconds.toFixed(1)} s`);
    }
  }
  if (!check) writeManifest(units, designs, extras);
  console.log(`\ngates-synth: ${done} unit(s) synthesized of ${todo.length}${check ? `, ${failures} different` : ''}; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return failures > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
