/** The PE library: number formats, codecs, multipliers, accumulators and named PE kinds. */
export * from './formats.ts';
export * from './float-codec.ts';
export * from './codec.ts';
export * from './lmul.ts';
export * from './exact-mul.ts';
export * from './xnor.ts';
export * from './accumulator.ts';
export * from './registry.ts';
export type * from './types.ts';
export * from './booth.ts';
