/**
 * What makes a report read like a paper's figures, checked on its files: no scientific
 * notation and no SI prefix glued to a prefixed unit ("8G pJ", "7M um^2") in any table or
 * chart text, and in every chart a legend whose entries all have colours of their own.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../cli/run-cli.ts';

/** where the browser tests save their screenshots, to be looked at (out/ is not committed) */
export const SCREENSHOTS = join(repoRoot, 'out', 'test-reports', 'screenshots');

/** the text of the <text> elements of an SVG */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** the legend's entries of an SVG: name and fill */
export function legendEntries(svg: string): { name: string; fill: string }[] {
  return [...svg.matchAll(/<g class="legend-entry"[^>]*><rect[^>]*fill="([^"]+)"[^>]*><\/rect><text[^>]*>([^<]*)<\/text>/g)]
    .map((m) => ({ fill: m[1], name: m[2] }));
}

const SCIENTIFIC = /\b\d+(\.\d+)?e[+-]?\d+\b/i;
const DOUBLE_PREFIX = /\d[kMGTP] ?(pJ|nJ|uJ|mJ|J|um\^2|mm\^2)\b/;

/** Expects readable numbers everywhere in a report's Markdown/HTML and SVG files. */
export function expectReadable(files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('.svg')) {
      for (const t of svgTexts(text)) {
        expect(t, `${name}: '${t}'`).not.toMatch(SCIENTIFIC);
        expect(t, `${name}: '${t}'`).not.toMatch(DOUBLE_PREFIX);
      }
      const legend = legendEntries(text);
      expect(legend.length, `${name}: a legend`).toBeGreaterThan(0);
      expect(new Set(legend.map((e) => e.fill)).size, `${name}: a colour per legend entry`).toBe(legend.length);
    } else if (name.endsWith('.md')) {
      // tables and prose; the sources table quotes papers' titles, which may hold anything
      const body = text.slice(0, text.indexOf('## Sources') >= 0 ? text.indexOf('## Sources') : undefined);
      for (const line of body.split('\n')) {
        expect(line, `${name}: ${line}`).not.toMatch(SCIENTIFIC);
        expect(line, `${name}: ${line}`).not.toMatch(DOUBLE_PREFIX);
      }
    }
  }
}
