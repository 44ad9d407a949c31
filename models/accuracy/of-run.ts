/**
 * Accuracy of a run: the trained model the run simulates, evaluated on a data set with the
 * run's PE, dataflow, array rows and partial-sum format. What `bitweave run --dataset` and
 * sweep points with a `dataset` report next to cycles and energy.
 */
import type { ArchConfig } from '../../sim/arch/schema.ts';
import type { PeOptions } from '../../sim/pe/registry.ts';
import type { RunAccuracy } from '../../sim/result.ts';
import { runAccuracy } from './run.ts';
import { DATASETS, datasetSamples, layerPes, loadGraph, type DatasetName } from './task.ts';
import { resolveTrainedModel } from './trained.ts';
import { InputError } from '../../sim/errors.ts';

/**
 * InputError unless the data set is known, the model has trained weights and fits the data set
 * (a language model on a text set, an image model on an image set): checked before a run starts.
 */
export function checkAccuracyRequest(model: string, dataset: string): void {
  if (!DATASETS.includes(dataset)) {
    throw new InputError(`unknown dataset '${dataset}'; valid: ${DATASETS.join(', ')}`);
  }
  const file = resolveTrainedModel(model);
  datasetSamples(dataset, loadGraph(file), `model ${model}`);
}

export async function accuracyOfRun(
  model: string, dataset: string, arch: ArchConfig, peOptions: PeOptions,
  opts: { limit?: number; jobs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<RunAccuracy> {
  checkAccuracyRequest(model, dataset);
  const { summary } = await runAccuracy({
    modelFile: resolveTrainedModel(model),
    dataset: dataset as DatasetName,
    ...layerPes(arch.pe),
    peOptions: { ...(arch.acc !== undefined && { acc: arch.acc }), ...peOptions },
    dataflow: arch.dataflow,
    rows: arch.array.rows,
    ...(arch.psum !== undefined && { psum: arch.psum }),
    ...(arch.accumulate !== undefined && { accumulate: arch.accumulate }),
  }, {
    ...(opts.limit !== undefined && { limit: opts.limit }), ...(opts.jobs !== undefined && { jobs: opts.jobs }),
    ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
  });
  return { dataset, ...summary };
}
