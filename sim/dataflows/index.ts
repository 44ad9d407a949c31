/** The dataflows by name: one module each (os.ts, ws.ts, is.ts). A new dataflow is a new module listed here. */
import type { Dataflow } from '../arch/schema.ts';
import { IS } from './is.ts';
import { OS } from './os.ts';
import type { DataflowRules } from './types.ts';
import { WS } from './ws.ts';

const RULES: Readonly<Record<Dataflow, DataflowRules>> = { os: OS, ws: WS, is: IS };

export function dataflowRules(name: Dataflow): DataflowRules {
  return RULES[name];
}
