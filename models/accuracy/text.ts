/**
 * Accuracy of a language model on a text set, through the simulator's functional path beside
 * the fp32 reference executor: per window, bits of the targets, top-1 hits, agreement of the
 * next-token choice with the reference, and the logits' error figures. Windows run one at a
 * time as [1, T] (the graph's shape); a chunk keeps per-window sums only, never the logits
 * (3,647 windows of 128 x 128 logits would be 240 MB).
 */
import type { Graph } from '../graph.ts';
import { executeGraph } from '../exec/executor.ts';
import { fp32Backend } from '../exec/backends.ts';
import { windowTargets, windowTokens } from '../data/text.ts';
import { lmShape } from '../lm/model.ts';
import { lmFigures, scorePositions, type LmFigures } from '../lm/score.ts';
import type { AccuracySummary, Backends } from './evaluate.ts';

export interface TextChunk {
  readonly kind: 'text';
  /** windows */
  readonly count: number;
  /** positions scored per window */
  readonly context: number;
  /** per window: bits of the targets, top-1 hits, the same for the reference, agreeing choices */
  readonly bits: Float64Array;
  readonly hits: Float64Array;
  readonly refBits: Float64Array;
  readonly refHits: Float64Array;
  readonly agree: Float64Array;
  /** per window, per position: the PE run's next-token choice (the first index of the largest logit) */
  readonly choices: Uint16Array;
  /** the same for the fp32 reference */
  readonly refChoices: Uint16Array;
  readonly errSq: number;
  readonly refSq: number;
  /** sum over positions of the cosine of the logits with the reference's */
  readonly cosSum: number;
  /** positions with a non-finite logit */
  readonly nonFinite: number;
}

export function evaluateText(g: Graph, text: Uint8Array, start: number, count: number, backends: Backends, reference = true): TextChunk {
  const { context: t, vocab: v, input, output } = lmShape(g, g.name);
  const per = () => new Float64Array(count);
  const bits = per(), hits = per(), refBits = per(), refHits = per(), agree = per();
  const choices = new Uint16Array(count * t), refChoices = new Uint16Array(count * t);
  let errSq = 0, refSq = 0, cosSum = 0, nonFinite = 0;
  for (let i = 0; i < count; i++) {
    const w = start + i;
    const tokens = windowTokens(text, w, t), targets = windowTargets(text, w, t);
    // per-token scales: each position's logits depend on it and the positions before it only
    const y = executeGraph(g, { [input]: tokens }, {
      tokenScales: true,
      array: backends.array,
      ...(backends.attention && { attentionArray: backends.attention }),
      ...(backends.binary && { binaryArray: backends.binary }),
    }).get(output)!;
    // without a reference (benchmarks of the PE path alone) the logits stand in for it
    const r = reference ? executeGraph(g, { [input]: tokens }, { array: fp32Backend }).get(output)! : y;
    const s = scorePositions(y, t, v, targets, choices, i * t);
    // the logits standing in for the reference score the same: not scored twice
    let rs = s;
    if (reference) rs = scorePositions(r, t, v, targets, refChoices, i * t);
    else refChoices.set(choices.subarray(i * t, (i + 1) * t), i * t);
    bits[i] = s.bits; hits[i] = s.hits; refBits[i] = rs.bits; refHits[i] = rs.hits;
    for (let p = 0; p < t; p++) {
      const o = p * v;
      if (choices[i * t + p] === refChoices[i * t + p]) agree[i]++;
      let dot = 0, nx = 0, ny = 0, finite = true;
      for (let j = o; j < o + v; j++) {
        const a = y[j], b = r[j];
        if (!Number.isFinite(a)) finite = false;
        errSq += (a - b) * (a - b);
        refSq += b * b;
        dot += a * b; nx += a * a; ny += b * b;
      }
      if (!finite) nonFinite++;
      cosSum += nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0;
    }
  }
  return { kind: 'text', count, context: t, bits, hits, refBits, refHits, agree, choices, refChoices, errSq, refSq, cosSum, nonFinite };
}

export function concatTextChunks(chunks: readonly TextChunk[]): TextChunk {
  const count = chunks.reduce((s, c) => s + c.count, 0);
  const cat = (f: (c: TextChunk) => Float64Array) => {
    const out = new Float64Array(count);
    let o = 0;
    for (const c of chunks) { out.set(f(c), o); o += c.count; }
    return out;
  };
  const sum = (f: (c: TextChunk) => number) => chunks.reduce((s, c) => s + f(c), 0);
  const joined = (f: (c: TextChunk) => Uint16Array) => {
    const out = new Uint16Array(chunks.reduce((s, c) => s + f(c).length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(f(c), at);
      at += f(c).length;
    }
    return out;
  };
  return {
    kind: 'text', count, context: chunks[0]?.context ?? 0,
    bits: cat((c) => c.bits), hits: cat((c) => c.hits), refBits: cat((c) => c.refBits), refHits: cat((c) => c.refHits), agree: cat((c) => c.agree), choices: joined((c) => c.choices), refChoices: joined((c) => c.refChoices),
    errSq: sum((c) => c.errSq), refSq: sum((c) => c.refSq), cosSum: sum((c) => c.cosSum), nonFinite: sum((c) => c.nonFinite),
  };
}

const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0);

/** The language-model figures of a text run: the PE's and the reference's. */
export interface TextFigures {
  readonly windows: number;
  readonly pe: LmFigures;
  readonly reference: LmFigures;
}

export function textFigures(r: TextChunk): TextFigures {
  const chars = r.count * r.context;
  return { windows: r.count, pe: lmFigures(total(r.bits), total(r.hits), chars), reference: lmFigures(total(r.refBits), total(r.refHits), chars) };
}

/** The summary every accuracy run has (per character: top-1, agreement, cosine) and the LM figures. */
export function summarizeText(r: TextChunk): AccuracySummary {
  const f = textFigures(r);
  const chars = f.pe.characters;
  return {
    images: r.count,
    top1: f.pe.top1,
    reference_top1: f.reference.top1,
    agreement: total(r.agree) / chars,
    rel_error: r.refSq > 0 ? Math.sqrt(r.errSq / r.refSq) : 0,
    cosine: r.cosSum / chars,
    non_finite: r.nonFinite,
    language: {
      windows: r.count, characters: chars,
      bits_per_char: f.pe.bits_per_char, perplexity: f.pe.perplexity,
      reference_bits_per_char: f.reference.bits_per_char, reference_perplexity: f.reference.perplexity,
    },
  };
}
