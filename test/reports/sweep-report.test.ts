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
import type { ResultLine } from '../../sweep/runner.ts';
import { runCli } from '../cli/run-cli.ts';

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
    expect(() => buildSweepReport(acc, undefined, { x: 'cycles', y: 'energy' })).toThrow(/--y-axis 'energy' is not a numeric field.*energy_pj\.total/);
    expect(() => buildSweepReport(acc, undefined, { x: 'cycles' })).toThrow(/--x-axis and --y-axis go together/);
  });
});

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
  beforeAll(() => {
    writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
    const r = runCli(['sweep', join(dir, 'sweep.yaml'), '--out', out, '--jobs', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
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
    const bad = runCli(['report', out, '--x', 'cycles', '--y', 'joules']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--y-axis 'joules' is not a numeric field of the results; fields: .*energy_pj\.total/);
  });

  const CHROMIUM = '/usr/bin/chromium';
  it.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('sweep.html renders every chart with its points and Pareto front in chromium', async () => {
    const { chromium } = await import('playwright-core');
    const r = runCli(['report', out, '--out', join(out, 'html'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
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
      mkdirSync(join(out, 'html'), { recursive: true });
      await page.screenshot({ path: join(out, 'html', 'sweep.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
