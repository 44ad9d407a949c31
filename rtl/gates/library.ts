/**
 * The committed netlists (rtl/netlists/) as a GateLibrary for the gate-level cost model:
 * the manifest is read once, each unit when first asked for (parsed, checked and compiled by
 * sim/cost/gates/netlist.ts, priced by cells.ts), all cached. Also the mapping from a PE as a
 * user names it (kind + options) to the catalogue design the netlists are of.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../../models/package-files.ts';
import { InputError } from '../../sim/errors.ts';
import { priceNetlist, type PricedNetlist } from '../../sim/cost/gates/cells.ts';
import type { DesignUnits, ExtraRole, GateLibrary } from '../../sim/cost/gates/library.ts';
import { compileNetlist, type CompiledNetlist, type Netlist } from '../../sim/cost/gates/netlist.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import type { PeOptions } from '../../sim/pe/registry.ts';
import { peSpec } from '../../sim/pe/catalogue.ts';
import { rtlTargets } from '../gen/catalogue.ts';

/** the committed netlists, found from the package root (sources or the compiled dist/) */
export const NETLIST_DIR = packageFile('rtl/netlists');

interface ManifestFile {
  readonly format: string;
  readonly yosys: string;
  readonly gate_set: string;
  readonly units: Readonly<Record<string, { readonly source: string; readonly cells: number; readonly counts: Readonly<Record<string, number>>; readonly registers?: Readonly<Record<string, number>> }>>;
  readonly designs: readonly DesignUnits[];
  readonly extras: Readonly<Record<ExtraRole, string>>;
  /** the calibration factors computed from these netlists when they were written (calibrate.ts) */
  readonly calibration?: { readonly energy_scale: number; readonly area_scale: number };
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new InputError(`${what} not found: ${path} (run npm run gates-synth)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new InputError(`${what} ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function readManifest(dir = NETLIST_DIR): ManifestFile {
  const m = readJson<ManifestFile>(join(dir, 'manifest.json'), 'netlist manifest');
  if (m.format !== 'bitweave-netlists/1') throw new InputError(`netlist manifest: format ${m.format}, expected bitweave-netlists/1`);
  return m;
}

export function readNetlist(id: string, dir = NETLIST_DIR): Netlist {
  if (!/^[a-z0-9.+-]+$/.test(id)) throw new InputError(`bad netlist unit id '${id}'`);
  return readJson<Netlist>(join(dir, `${id}.json`), `netlist ${id}`);
}

const cache = new Map<string, GateLibrary>();

/** The library of the netlists in `dir` (default rtl/netlists), cached per directory (`fresh`: read again). */
export function committedLibrary(dir = NETLIST_DIR, fresh = false): GateLibrary {
  const hit = cache.get(dir);
  if (hit && !fresh) return hit;
  const m = readManifest(dir);
  const units = new Map<string, CompiledNetlist>();
  const priced = new Map<string, PricedNetlist>();
  const designs = new Map(m.designs.map((d) => [d.design, d]));
  const unit = (id: string): CompiledNetlist => {
    let u = units.get(id);
    if (!u) {
      if (m.units[id] === undefined) throw new InputError(`no netlist unit '${id}' in the manifest`);
      u = compileNetlist(readNetlist(id, dir));
      if (u.source.source !== m.units[id].source) throw new InputError(`netlist ${id}: source ${u.source.source} differs from the manifest's ${m.units[id].source}`);
      units.set(id, u);
    }
    return u;
  };
  const lib: GateLibrary = {
    yosys: m.yosys,
    gateSet: m.gate_set,
    ...(m.calibration !== undefined && { calibration: m.calibration }),
    unit,
    priced: (id) => {
      let p = priced.get(id);
      if (!p) {
        p = priceNetlist(unit(id));
        priced.set(id, p);
      }
      return p;
    },
    registers: (id) => {
      const r = m.units[id]?.registers;
      if (r === undefined) throw new InputError(`netlist unit '${id}' has no registers (not an array cell)`);
      return r;
    },
    design: (key) => {
      const d = designs.get(key);
      if (!d) throw new InputError(`no netlists for PE design '${key}'; designs with netlists: ${[...designs.keys()].join(', ')}`);
      return d;
    },
    designKeys: () => [...designs.keys()],
    extra: (role) => {
      const id = m.extras[role];
      if (id === undefined) throw new InputError(`the netlist manifest has no unit for ${role}`);
      return id;
    },
  };
  cache.set(dir, lib);
  return lib;
}

/** Options with their defaults removed, so equal hardware compares equal (the catalogue's formats, no PE built). */
function normalize(pe: string, o: PeOptions): Record<string, unknown> {
  const base = peSpec(pe);
  if (base === undefined) return { unknown: pe };
  const r: Record<string, unknown> = {};
  if (o.reuse === 'ent') r.reuse = 'ent';
  if (o.acc !== undefined && getFormat(o.acc).name !== base.acc.name) r.acc = getFormat(o.acc).name;
  if (o.accInternal !== undefined && getFormat(o.accInternal).name !== (r.acc ?? base.acc.name)) r.accInternal = getFormat(o.accInternal).name;
  if (o.accSaturate === true) r.accSaturate = true;
  if (o.product !== undefined && getFormat(o.product).name !== base.product.name) r.product = getFormat(o.product).name;
  // lmulRound decides how reals become inputs, outside the PE: the same hardware
  // a narrowed, truncating or promoted accumulator register (--acc-bits/--acc-round/
  // --acc-promote) and another block size are other hardware, which no netlist has
  if (o.accBits !== undefined && o.accBits !== 24) r.accBits = o.accBits;
  if (o.accRound !== undefined && o.accRound !== 'rne') r.accRound = o.accRound;
  if (o.accPromote !== undefined && o.accPromote > 0) r.accPromote = o.accPromote;
  if (o.block !== undefined) r.block = o.block;
  return r;
}

/** The catalogue design (and so the netlists) of a PE kind with its options. */
export function designKeyFor(pe: string, options: PeOptions = {}): string {
  const want = JSON.stringify(normalize(pe, options));
  const name = pe.trim().toLowerCase();
  const t = rtlTargets().find((x) => x.popcountWidth === undefined && x.pe === name && JSON.stringify(normalize(x.pe, x.options ?? {})) === want);
  if (!t) {
    const known = rtlTargets().filter((x) => x.popcountWidth === undefined).map((x) => x.key);
    throw new InputError(`no gate-level netlists for PE ${pe} with options ${want}; designs with netlists: ${known.join(', ')}`);
  }
  return t.key;
}
