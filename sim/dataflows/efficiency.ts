/** Mapping efficiency: how much of the array a layer's folds use. */
import type { Mapping } from './mapping.ts';

/**
 * Mapping efficiency, SCALE-Sim's definition: the mean over folds of the fraction of PEs the
 * fold maps. It factors: mean rows used / R times mean cols used / C.
 */
export function mappingEfficiency(mp: Mapping): number {
  return (mp.sr / mp.rowFolds / mp.rows) * (mp.sc / mp.colFolds / mp.cols);
}
