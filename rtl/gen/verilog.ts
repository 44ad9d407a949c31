/**
 * Small helpers for emitting Verilog-2005 text: sized literals, identifiers, and a module
 * set that keeps each generated module once (designs share rounding and adder modules).
 */

/** One generated module: its name and its full text. */
export interface VModule {
  readonly name: string;
  readonly text: string;
}

/** An unsigned sized literal, e.g. lit(8, 0x7e) = "8'd126". */
export function lit(width: number, value: number): string {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
    throw new Error(`literal ${value} does not fit ${width} bits`);
  }
  return `${width}'d${value}`;
}

/** A signed sized literal (two's complement), e.g. slit(13, -149) = "-13'sd149". */
export function slit(width: number, value: number): string {
  if (!Number.isInteger(value) || value < -(2 ** (width - 1)) || value >= 2 ** (width - 1)) {
    throw new Error(`signed literal ${value} does not fit ${width} bits`);
  }
  return value < 0 ? `-${width}'sd${-value}` : `${width}'sd${value}`;
}

/** A Verilog identifier from a name such as "fp8-e4m3". */
export function ident(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** Bits needed to hold 0..n. */
export function bitsFor(n: number): number {
  let b = 1;
  while (2 ** b <= n) b++;
  return b;
}

/** An ordered set of modules, each kept once by name (a second, different text is an error). */
export class ModuleSet {
  private readonly byName = new Map<string, VModule>();

  add(m: VModule): string {
    const old = this.byName.get(m.name);
    if (old && old.text !== m.text) throw new Error(`two different modules named ${m.name}`);
    if (!old) this.byName.set(m.name, m);
    return m.name;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  modules(): VModule[] {
    return [...this.byName.values()];
  }

  text(): string {
    return this.modules().map((m) => m.text).join('\n');
  }
}

/** The width of every internal (signed) exponent: covers fp32 products and their shifts. */
export const EXP_WIDTH = 13;
