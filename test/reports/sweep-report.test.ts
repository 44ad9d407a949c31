/**
 * `bitweave report` on a sweep directory: the Pareto front, the charts (energy vs cycles,
 * accuracy vs energy when there is an accuracy field, else energy vs area, and any two
 * fields by option), sweep.md / sweep.html, and the page rendered in a real browser.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSweepReport, fieldValue, paretoFront } from '../../reports/sweep-report.ts';
import type { ResultLine } from '../../sweep/results.ts';
import { runCli } from '../cli/run-cli.ts';
import { expectReadable, legendEntries, SCREENSHOTS, svgTexts } from './readable.ts';

function line(index: number, pe: string, cycles: number, energy: number, area: number, accuracy?: number): ResultLine {
  return {
    index, key: `k${index}`, vars: { 'arch.pe': pe, 'arch.array.rows': 8 * (index + 1) }, status: 'ok',
    result: {
      cycles, energy_pj: { total: energy }, area_um2: { total: area }, derived: { tops_per_w: 1 / energy },
      ...(accuracy !== undefined && { accuracy }),
    },
  };
}

describe('sweep report builder', () => {
  it('Pareto front: minimize both, or maximize one', () => {
    //            0  1  2  3  4
    const xs = [1, 2, 3, 4, 2];
    const ys = [5, 3, 4, 1, 3];
    expect(paretoFront(xs, ys, 'min', 'min')).toEqual([0, 1, 3]); // 4 ties 1: the first stays
    expect(paretoFront(xs, ys, 'min', 'max')).toEqual([0]);
    expect(paretoFront(xs, ys, 'max', 'min')).toEqual([3]);
    expect(paretoFront([1, NaN, 2], [2, 0, 1], 'min', 'min')).toEqual([0, 2]);
  });

  it('fields: result paths (totals. accepted), swept values and their shorthands', () => {
    const l = line(0, 'int8', 100, 50, 7);
    expect(fieldValue(l, 'cycles')).toBe(100);
    expect(fieldValue(l, 'totals.energy_pj.total')).toBe(50);
    expect(fieldValue(l, 'pe')).toBe('int8');
    expect(fieldValue(l, 'rows')).toBe(8);
    expect(fieldValue(l, 'arch.pe')).toBe('int8');
    expect(fieldValue(l, 'nope.x')).toBeUndefined();
  });

  it('energy vs cycles and energy vs area without accuracy; accuracy vs energy with it', () => {
    const plain = [line(0, 'int8', 100, 50, 9), line(1, 'bf16', 80, 60, 5), line(2, 'int8', 120, 70, 4), line(3, 'fp8', 130, 80, 10)];
    const r = buildSweepReport(plain, undefined);
    expect(r.charts.map((c) => c.file)).toEqual(['energy-cycles.svg', 'energy-area.svg']);
    expect(r.charts[0].pareto).toEqual([1, 0]);
    expect(r.charts[1].pareto).toEqual([2, 1, 0]);
    for (const f of ['sweep.md', 'sweep.html', 'pareto.csv', 'energy-cycles.svg', 'energy-area.svg']) expect(r.files[f], f).toBeTruthy();
    expect(r.files['energy-cycles.svg']).toMatch(/class="pareto"/);
    expect((r.files['energy-cycles.svg'].match(/class="point"/g) ?? []).length).toBe(4);
    expect(r.files['sweep.md']).toContain('![energy vs cycles](energy-cycles.svg)');
    expect(r.files['sweep.html']).not.toMatch(/<(script|link)\b/);
    expect(r.files['pareto.csv'].split('\n')[0]).toBe('chart,index,key,arch.pe,arch.array.rows,x,y');

    const acc = [line(0, 'int8', 100, 50, 9, 0.8), line(1, 'bf16', 80, 60, 5, 0.9), line(2, 'fp8', 90, 40, 4, 0.7), line(3, 'x', 95, 70, 4, 0.85)];
    const a = buildSweepReport(acc, undefined, { x: 'area_um2.total', y: 'derived.tops_per_w', color: 'pe' });
    expect(a.charts.map((c) => c.file)).toEqual(['energy-cycles.svg', 'accuracy-energy.svg', 'derived_tops_per_w-vs-area_um2_total.svg']);
    const ae = a.charts[1];
    expect([ae.x, ae.y, ae.x_better, ae.y_better]).toEqual(['energy_pj.total', 'accuracy', 'min', 'max']);
    expect(ae.pareto).toEqual([2, 0, 1]); // point 3 costs more energy than 1 for less accuracy
    expect(a.charts[2].y_better).toBe('max');
    // accuracy in %, energy in an SI unit, on the axes and in the tables; points numbered from 0
    expect(svgTexts(a.files['accuracy-energy.svg'])).toEqual(expect.arrayContaining(['top-1 accuracy (%)', 'energy (pJ)']));
    expect(a.files['sweep.md']).toContain('| 2 | fp8 | 24 | 40 pJ | 70.00% |');
    expect(legendEntries(a.files['accuracy-energy.svg']).map((e) => e.name)).toEqual(['pe=int8', 'pe=bf16', 'pe=fp8', 'pe=x', 'Pareto front']);
    expectReadable(a.files);
    expect(() => buildSweepReport(acc, undefined, { x: 'cycles', y: 'energy' })).toThrow(/--y-axis 'energy' is not a numeric field.*energy_pj\.total/);
    expect(() => buildSweepReport(acc, undefined, { x: 'cycles' })).toThrow(/--x-axis and --y-axis go together/);
  });
});

/** 3 quick points with an accuracy: a trained MLP on 20 images */
const ACCURACY_SWEEP = `
base:
  arch: edge
  model: mlp
  dataset: fmnist
  limit: 20
grid:
  pe: [fp32, fp8-e4m3, int8]
`;

/** 3 x 2 x 2 = 12 quick points */
const SWEEP = `
base:
  arch: edge
  model: gemm:96x64x160
grid:
  dataflow: [os, ws, is]
  pe: [int8, bf16]
  rows: [8, 16]
`;

describe('bitweave report on a sweep directory (CLI and browser)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-sweep-report-'));
  const out = join(dir, 'sweep');
  const accOut = join(dir, 'accuracy');
  beforeAll(() => {
    writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
    const r = runCli(['sweep', join(dir, 'sweep.yaml'), '--out', out, '--jobs', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(join(dir, 'accuracy.yaml'), ACCURACY_SWEEP);
    const a = runCli(['sweep', join(dir, 'accuracy.yaml'), '--out', accOut, '--jobs', '2', '--quiet']);
    expect(a.code, a.stderr).toBe(0);
  });

  it('writes sweep.md, sweep.html, pareto.csv and the SVGs; bad fields exit 2', () => {
    const r = runCli(['report', out, '--x-axis', 'area_um2.total', '--y', 'derived.tops_per_w', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { points: number; ok: number; charts: { file: string; pareto: number[] }[]; files: string[] };
    expect(s.points).toBe(12);
    expect(s.ok).toBe(12);
    expect(s.charts.map((c) => c.file)).toEqual(['energy-cycles.svg', 'energy-area.svg', 'derived_tops_per_w-vs-area_um2_total.svg']);
    for (const c of s.charts) expect(c.pareto.length).toBeGreaterThan(0);
    for (const f of s.files) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/^# Sweep report: .*sweep\.yaml/);
    // the Pareto points printed as results.jsonl numbers them, from 0
    const human = runCli(['report', out]);
    expect(human.code).toBe(0);
    for (const c of s.charts) expect(human.stdout).toContain(`${c.pareto.length} Pareto-optimal points (${c.pareto.join(', ')}; numbered from 0`);
    const indices = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { index: number }).index);
    expect(Math.min(...indices)).toBe(0);
    const paretoCsv = readFileSync(join(out, 'pareto.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    for (const i of paretoCsv) expect(indices).toContain(i);
    const bad = runCli(['report', out, '--x', 'cycles', '--y', 'joules']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--y-axis 'joules' is not a numeric field of the results; fields: .*energy_pj\.total/);
  });

  const CHROMIUM = '/usr/bin/chromium';
  it.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('sweep.html renders every chart with its points and Pareto front in chromium', async () => {
    const { chromium } = await import('playwright-core');
    const r = runCli(['report', out, '--out', join(out, 'html'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const ra = runCli(['report', accOut, '--quiet']);
    expect(ra.code, ra.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      mkdirSync(SCREENSHOTS, { recursive: true });
      // the accuracy sweep: accuracy vs energy, accuracy in %
      const accPage = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await accPage.goto('file://' + join(accOut, 'sweep.html'));
      expect(await accPage.$$eval('figure.chart', (f) => f.map((e) => e.getAttribute('data-chart')))).toEqual(['energy-cycles.svg', 'accuracy-energy.svg']);
      expect(await accPage.locator('figure[data-chart="accuracy-energy.svg"] text', { hasText: 'top-1 accuracy (%)' }).count()).toBe(1);
      expect(await accPage.locator('figure[data-chart="accuracy-energy.svg"] circle.point').count()).toBe(3);
      await accPage.screenshot({ path: join(SCREENSHOTS, 'sweep-accuracy.png'), fullPage: true });
      expectReadable(Object.fromEntries(['sweep.md', 'energy-cycles.svg', 'accuracy-energy.svg'].map((f) => [f, readFileSync(join(accOut, f), 'utf8')])));
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto('file://' + join(out, 'html', 'sweep.html'));
      const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const visible = (sel: string) => (svg ? [...svg.querySelectorAll(sel)].filter((e) => {
          const b = e.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        }).length : 0);
        return {
          name: f.getAttribute('data-chart'), width: box?.width ?? 0, height: box?.height ?? 0,
          points: visible('circle.point'), pareto: visible('circle.pareto-point'), front: svg?.querySelectorAll('path.pareto').length ?? 0,
        };
      }));
      expect(charts.map((c) => c.name)).toEqual(['energy-cycles.svg', 'energy-area.svg']);
      for (const c of charts) {
        expect(c.width, c.name ?? '').toBeGreaterThan(300);
        expect(c.height, c.name ?? '').toBeGreaterThan(200);
        expect(c.points, c.name ?? '').toBe(12);
        expect(c.pareto, c.name ?? '').toBeGreaterThan(0);
        expect(c.front, c.name ?? '').toBe(1);
      }
      expect(await page.locator('table').count()).toBeGreaterThanOrEqual(3);
      expect(errors).toEqual([]);
      expectReadable(Object.fromEntries(['sweep.md', 'energy-cycles.svg', 'energy-area.svg'].map((f) => [f, readFileSync(join(out, 'html', f), 'utf8')])));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1100);
      await page.screenshot({ path: join(SCREENSHOTS, 'sweep.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
