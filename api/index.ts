/**
 * The library API: what `import { ... } from 'bitweave'` gives TypeScript and JavaScript
 * programs. The same functions the `bitweave` command runs, with their types; everything here
 * is pure or reads only the files it is given (no console output, no process.exit). Invalid
 * input throws `InputError` (its message names the field or file), other errors are bugs.
 *
 *   import { getPreset, runRequest } from 'bitweave';
 *   const r = await runRequest({ arch: getPreset('scale'), model: 'resnet18' });
 *   r.totals.cycles; r.totals.energy_pj.total;
 *
 * Reports (Markdown / HTML / SVG, which load d3-node) are in 'bitweave/reports'.
 */

// ---- one run: the pipeline, as `bitweave run` and sweep points run it ----
export { runRequest, resolveRun, RunCache, type RunRequest } from '../models/run-request.ts';
export { runPipeline, type PipelineOptions, type PipelineResult, type ScheduleRequest } from '../sim/pipeline.ts';
export { simulate, type RunOptions } from '../sim/simulate.ts';
export type {
  AccessWindow, ArrayReuse, Compat, EngineName, LayerDetail, LayerResult, OutputSummary, RunAccuracy, RunCounts, SimResult, SimTotals,
} from '../sim/result.ts';
export { InputError } from '../sim/errors.ts';

// ---- arch: presets, the schema, files (YAML / JSON / SCALE-Sim .cfg) ----
export { getPreset, isPreset, presetNames } from '../sim/arch/presets.ts';
export { DATAFLOWS, archSchema, parseArch, type ArchConfig, type ArchInput, type Dataflow } from '../sim/arch/schema.ts';
export { parseScaleSimCfg, type ScaleSimCfg } from '../sim/arch/scalesim-cfg.ts';
export { loadArch } from '../cli/arch-file.ts';

// ---- workloads: the model zoo, ONNX files, SCALE-Sim topologies, single GEMMs ----
export { loadWorkload, parseGemm } from '../models/workload.ts';
export { loadModel, isModelFile, type LoadedModel, type LoadOptions, type ModelSourceKind } from '../models/source.ts';
export { buildZooModel, getZooEntry, zooEntries, zooNames, type ZooEntry } from '../models/zoo/index.ts';
export { importOnnx, SUPPORTED_ONNX_OPS, type OnnxImportOptions } from '../models/import/onnx.ts';
export { parseTopologyCsv, type TopologyOptions } from '../models/import/scalesim-csv.ts';
export { lowerGraph, lowerLayers, type ArrayOp, type Lowered, type VectorOp } from '../models/lower.ts';
export type { Graph, TensorInfo } from '../models/graph.ts';
export { convLayer, gemmLayer, gemmView, macs, type ConvLayer, type ConvSpec, type GemmLayer, type Layer, type PaddingMode } from '../sim/workload/layer.ts';
export type { Workload } from '../sim/workload/workload.ts';

// ---- processing elements and number formats: quantize, encode, decode, multiply ----
export { getPe, type PeOptions } from '../sim/pe/registry.ts';
export type { MultiplierKind, PeKind, Reuse } from '../sim/pe/types.ts';
export {
  BF16, BINARY, E4M3, E5M2, FP16, FP32, INT16, INT32, INT4, INT8, TERNARY, bytesPerValue, floatFormat, getFormat, isFloat, namedFormats,
  type BinaryFormat, type FloatFormat, type IntFormat, type NumberFormat, type TernaryFormat,
} from '../sim/pe/formats.ts';
export { decode, encode, formatBits, isValidBits, parseBits } from '../sim/pe/codec.ts';
// block formats (MX, NVFP4): quantize vectors in blocks, the block dot-product unit, limited accumulators
export {
  bitsPerElement, blockFormatNames, blockFormats, getBlockFormat,
  type BlockFormat, type BlockOperandFormat, type MxFormat, type Nvfp4Format,
} from '../sim/pe/block-formats.ts';
export { dequantizeBlocks, quantizeBlocks, type BlockTensor } from '../sim/pe/block-tensor.ts';
export { blockDot, makeBlockDotUnit, type BlockDotUnit } from '../sim/pe/block-dot.ts';
export { FP32_ACCUMULATION, accumulatorSpec, type AccumulatorSpec } from '../sim/pe/limited-acc.ts';
export { dotPrecision, type DotPrecisionOptions, type DotPrecisionReport } from '../sim/pe/dot-precision.ts';

// ---- energy and area ----
export {
  runCost, withCost, dramPjPerBit,
  type AreaBreakdown, type CostOptions, type CostedSimResult, type DerivedFigures, type EnergyBreakdown, type RunCost,
} from '../sim/cost/run-cost.ts';
export { getTechTable, makeTechnology, technologyNames, type TechOptions, type Technology } from '../sim/cost/technology.ts';

// ---- sweeps: a grid of runs on worker threads, resumable, shardable ----
export { loadSweepFile } from '../cli/sweep-file.ts';
export { parseSweepSpec, shardOf, type PointConfig, type SweepPoint, type SweepSpec } from '../sweep/spec.ts';
export { runSweep, type SweepRunOptions, type SweepSummary } from '../sweep/runner.ts';
export { readResults, type ResultLine } from '../sweep/results.ts';
export { mergeShards, type MergeOptions, type MergeSummary } from '../sweep/merge.ts';
