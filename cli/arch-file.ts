/** Reads an arch description: a preset name, a YAML/JSON file, or a SCALE-Sim .cfg file. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError } from '../sim/errors.ts';
import { limitOf } from '../sim/limits.ts';
import { getPreset, isPreset, presetNames } from '../sim/arch/presets.ts';
import { parseArch, type ArchConfig } from '../sim/arch/schema.ts';
import { parseScaleSimCfg } from '../sim/arch/scalesim-cfg.ts';
import { readInputText } from '../models/io/input-file.ts';

// the YAML parser is loaded for a YAML file only: a preset or a .cfg starts without it
const require = createRequire(import.meta.url);
// aliases are capped: expanding them is how a small file becomes a huge one
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text, { maxAliasCount: limitOf('yaml_aliases') });

export function loadArch(spec: string): ArchConfig {
  if (isPreset(spec)) return getPreset(spec);
  if (!existsSync(spec)) {
    throw new InputError(`--arch: '${spec}' is neither a preset (${presetNames().join(', ')}) nor a file`);
  }
  const text = readInputText(spec, '--arch');
  if (/\.cfg$/i.test(spec)) return parseScaleSimCfg(text, spec).arch;
  let doc: unknown;
  if (/\.json$/i.test(spec)) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${spec}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new InputError(`${spec}: not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  return parseArch(doc, spec);
}
