/**
 * SCALE-Sim .cfg reader (text in): v2 files and v3 files with their [layout] and [sparsity]
 * sections. What bitweave models is mapped onto the arch schema; the rest (layouts, sparsity,
 * request buffers, Ramulator) is accepted and ignored. SCALE-Sim works in 1-byte words, so its
 * Bandwidth (words/cycle) becomes bytes/cycle and the PE is int8.
 */
import { InputError } from '../errors.ts';
import { parseArch, type ArchConfig, type ArchInput } from './schema.ts';

export interface ScaleSimCfg {
  arch: ArchConfig;
  runName: string;
  /** CALC: SCALE-Sim estimates the bandwidth (stall-free); USER: uses Bandwidth */
  interfaceBandwidth: 'CALC' | 'USER';
  /** the topology path, if the file names one */
  topology?: string;
}

/**
 * The keys SCALE-Sim v2/v3 reads, by section (lower case, as its configparser matches them):
 * anything else is a misspelling, which SCALE-Sim would ignore or fail on much later.
 */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  general: ['run_name'],
  architecture_presets: [
    'arrayheight', 'arraywidth', 'ifmapsramszkb', 'filtersramszkb', 'ofmapsramszkb', 'ifmapoffset', 'filteroffset',
    'ofmapoffset', 'bandwidth', 'dataflow', 'memorybanks', 'readrequestbuffer', 'writerequestbuffer',
  ],
  run_presets: ['interfacebandwidth', 'useramulatortrace'],
  layout: [
    'ifmapcustomlayout', 'ifmapsrambankbandwidth', 'ifmapsrambanknum', 'ifmapsrambankport',
    'filtercustomlayout', 'filtersrambankbandwidth', 'filtersrambanknum', 'filtersrambankport',
  ],
  sparsity: ['sparsitysupport', 'sparserep', 'optimizedmapping', 'blocksize', 'randomnumbergeneratorseed'],
  network: ['topologycsvloc'],
};
const KNOWN_SECTIONS = new Set(Object.keys(KNOWN_KEYS));

export function parseScaleSimCfg(text: string, file = 'config.cfg'): ScaleSimCfg {
  const values = new Map<string, { value: string; line: number }>();
  const sections = new Map<string, number>();
  let section = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1].trim().toLowerCase();
      if (!KNOWN_SECTIONS.has(section)) {
        throw new InputError(`${file}:${i + 1}: unknown section [${sec[1]}]; sections: ${[...KNOWN_SECTIONS].map((x) => `[${x}]`).join(', ')}`);
      }
      const first = sections.get(section);
      if (first !== undefined) throw new InputError(`${file}:${i + 1}: section [${sec[1]}] appears twice (first on line ${first})`);
      sections.set(section, i + 1);
      continue;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*[:=]\s*(.*)$/.exec(line);
    if (!kv) throw new InputError(`${file}:${i + 1}: expected 'Key: value', got '${line}'`);
    if (section === '') throw new InputError(`${file}:${i + 1}: '${kv[1]}' appears before any [section]`);
    const key = kv[1].trim().toLowerCase();
    if (!KNOWN_KEYS[section].includes(key)) {
      throw new InputError(`${file}:${i + 1}: unknown key '${kv[1].trim()}' in [${section}]; keys there: ${KNOWN_KEYS[section].join(', ')} (any case)`);
    }
    const prev = values.get(`${section}.${key}`);
    if (prev !== undefined) throw new InputError(`${file}:${i + 1}: '${kv[1].trim()}' is given twice in [${section}] (first on line ${prev.line})`);
    values.set(`${section}.${key}`, { value: kv[2].trim(), line: i + 1 });
  }
  const get = (key: string): { value: string; line: number } | undefined => values.get(key);
  const need = (key: string, label: string): { value: string; line: number } => {
    const v = get(key);
    if (!v) throw new InputError(`${file}: missing ${label} in [${key.split('.')[0]}]`);
    return v;
  };
  const num = (key: string, label: string, integer: boolean): number => {
    const v = need(key, label);
    const n = Number(v.value);
    if (v.value === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InputError(
        `${file}:${v.line}: ${label} must be a positive ${integer ? 'integer' : 'number'}, got '${v.value}'`,
      );
    }
    return n;
  };
  const arch = 'architecture_presets';
  const dfEntry = need(`${arch}.dataflow`, 'Dataflow');
  const dataflow = dfEntry.value.toLowerCase();
  if (dataflow !== 'os' && dataflow !== 'ws' && dataflow !== 'is') {
    throw new InputError(`${file}:${dfEntry.line}: unknown Dataflow '${dfEntry.value}'; valid: os, ws, is`);
  }
  const offset = (key: string, label: string, dflt: number): number => {
    const v = get(`${arch}.${key}`);
    if (!v) return dflt;
    const n = Number(v.value);
    if (!Number.isInteger(n) || n < 0) throw new InputError(`${file}:${v.line}: ${label} must be a non-negative integer`);
    return n;
  };
  const bwEntry = get(`${arch}.bandwidth`);
  const runName = get('general.run_name')?.value ?? file.replace(/^.*\//, '').replace(/\.cfg$/, '');
  const ib = (get('run_presets.interfacebandwidth')?.value ?? 'CALC').toUpperCase();
  if (ib !== 'CALC' && ib !== 'USER') {
    const l = get('run_presets.interfacebandwidth')?.line ?? 0;
    throw new InputError(`${file}:${l}: InterfaceBandwidth must be CALC or USER, got '${ib}'`);
  }
  const input: ArchInput = {
    name: runName,
    array: { rows: num(`${arch}.arrayheight`, 'ArrayHeight', true), cols: num(`${arch}.arraywidth`, 'ArrayWidth', true) },
    dataflow,
    pe: 'int8',
    sram: {
      ifmap_kb: num(`${arch}.ifmapsramszkb`, 'IfmapSramSzkB', false),
      filter_kb: num(`${arch}.filtersramszkb`, 'FilterSramSzkB', false),
      ofmap_kb: num(`${arch}.ofmapsramszkb`, 'OfmapSramSzkB', false),
      double_buffered: true,
      banks: get(`${arch}.memorybanks`) ? num(`${arch}.memorybanks`, 'MemoryBanks', true) : 1,
    },
    dram: {
      bandwidth: bwEntry ? num(`${arch}.bandwidth`, 'Bandwidth', false) : 10, latency: 0, type: 'ddr4',
      interface_bandwidth: ib === 'USER' ? 'user' : 'calc',
    },
    offsets: {
      ifmap: offset('ifmapoffset', 'IfmapOffset', 0),
      filter: offset('filteroffset', 'FilterOffset', 10000000),
      ofmap: offset('ofmapoffset', 'OfmapOffset', 20000000),
    },
  };
  const topo = get('network.topologycsvloc')?.value;
  return { arch: parseArch(input, file), runName, interfaceBandwidth: ib, ...(topo ? { topology: topo } : {}) };
}
