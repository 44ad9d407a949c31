/**
 * A causal language model as an imported graph: one integer input of token ids [1, T] and one
 * output of next-token logits [1, T, V] (position i scores token i + 1). `lmShape` refuses any
 * other graph before work starts.
 */
import { InputError } from '../../sim/errors.ts';
import { tensor, type Graph } from '../graph.ts';

export interface LmShape {
  /** context: the tokens the graph takes */
  readonly context: number;
  /** vocabulary: logits per position */
  readonly vocab: number;
  readonly input: string;
  readonly output: string;
}

export function lmShape(g: Graph, what: string): LmShape {
  const bad = (why: string): never => {
    throw new InputError(`${what} is not a language model (${why}): a text data set needs one integer input of token ids [1, T] and one output of logits [1, T, V]`);
  };
  if (g.inputs.length !== 1) bad(`${g.inputs.length} inputs`);
  if (g.outputs.length !== 1) bad(`${g.outputs.length} outputs`);
  const x = tensor(g, g.inputs[0]), y = tensor(g, g.outputs[0]);
  if (x.dtype !== 'int64') bad(`input '${x.name}' is ${x.dtype}`);
  if (x.shape.length !== 2 || x.shape[0] !== 1) bad(`input '${x.name}' has shape [${x.shape.join(', ')}]`);
  const t = x.shape[1];
  if (y.shape.length !== 3 || y.shape[0] !== 1 || y.shape[1] !== t) bad(`output '${y.name}' has shape [${y.shape.join(', ')}]`);
  return { context: t, vocab: y.shape[2], input: x.name, output: y.name };
}
