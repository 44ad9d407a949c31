/** The cost model: technology tables with provenance, PE costs, the energy and area of a run. */
export * from './types.ts';
export * from './technology.ts';
export * from './pe-cost.ts';
export * from './run-cost.ts';
export * from './papers.ts';
export { DRAM_TYPES, dramTypeNames } from './tables/dram.ts';
