import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer } from '../../sim/workload/layer.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { runCost, withCost } from '../../sim/cost/run-cost.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { simulate } from '../../sim/simulate.ts';
import { buildReport } from '../../reports/cost-report.ts';
import { repoRoot, runCli } from '../cli/run-cli.ts';
import { expectReadable, legendEntries, SCREENSHOTS, svgTexts } from './readable.ts';

const OUT = join(repoRoot, 'out', 'test-reports');

function sample() {
  const arch = getPreset('edge');
  const layers = [
    convLayer({ name: 'conv1', inH: 32, inW: 32, kH: 3, kW: 3, channels: 3, filters: 16, padding: 'same' }),
    convLayer({ name: 'conv2', inH: 16, inW: 16, kH: 3, kW: 3, channels: 16, filters: 32, strideH: 1, padding: 'same' }),
    gemmLayer('fc', 1, 10, 512),
    gemmLayer('proj', 64, 64, 128),
  ];
  const result = simulate({ arch, pe: getPe(arch.pe), layers });
  return { arch, result };
}

describe('report builder', () => {
  it('writes md, html, CSV and four SVG charts whose numbers match the run', () => {
    const { arch, result } = sample();
    const rep = buildReport(result, arch);
    const f = rep.files;
    for (const name of ['report.md', 'report.html', 'energy.csv', 'area.csv', 'layers.csv', 'sources.csv', 'energy.svg', 'area.svg', 'cycles.svg', 'roofline.svg']) {
      expect(f[name], name).toBeTruthy();
    }
    for (const svg of ['energy.svg', 'area.svg', 'cycles.svg', 'roofline.svg']) {
      expect(f[svg].startsWith('<svg')).toBe(true);
      expect(f[svg]).toMatch(/<(rect|circle|path)/);
    }
    const energy = f['energy.csv'].trim().split('\n').map((l) => l.split(','));
    expect(energy[0][0]).toBe('layer');
    expect(energy).toHaveLength(1 + result.layers.length + 1);
    const total = energy[energy.length - 1];
    // columns: layer, compute, registers, sram ifmap/filter/ofmap, dram, vector, leakage, total
    expect(Number(total[9])).toBeCloseTo(rep.result.totals.energy_pj.total, 3);
    const parts = total.slice(1, 9).map(Number);
    expect(parts.reduce((s, v) => s + v, 0)).toBeCloseTo(Number(total[9]), 3);
    expect(f['report.html']).toContain('<figure class="chart" data-chart="roofline.svg"><svg');
    expect(f['report.html']).not.toMatch(/<(script|link)\b/);
    expect(f['report.md']).toContain('![energy](energy.svg)');
    expect(f['report.md']).toContain("Papers' headline figures");
    expectReadable(f);
    // utilization with and without stalls, both named, in the summary, the table and the chart
    expect(f['report.md']).toMatch(/\| utilization without stalls \| \d+\.\d\d% \(MACs \/ PEs x compute cycles\) \|/);
    expect(f['report.md']).toMatch(/\| utilization with stalls \| \d+\.\d\d% \(MACs \/ PEs x all cycles\) \|/);
    expect(f['report.md']).toContain('| utilization without stalls | utilization with stalls |');
    expect(legendEntries(f['cycles.svg']).map((e) => e.name)).toEqual(['compute cycles', 'stall cycles', 'utilization without stalls', 'utilization with stalls']);
    // axes carry their scaled unit
    expect(svgTexts(f['energy.svg'])).toContain('energy (uJ)');
    expect(svgTexts(f['cycles.svg'])).toContain('cycles (k)');
    expect(svgTexts(f['area.svg'])).toContain('area (mm^2)');
    expect(svgTexts(f['roofline.svg'])).toContain('attained performance (GOPS)');
    // a costed result is reported as is
    const again = buildReport(withCost(result, runCost(result, arch)), undefined, { papers: false });
    expect(again.files['energy.csv']).toBe(f['energy.csv']);
  });
});

describe('bitweave report (CLI)', () => {
  it('reports a `run --json` result, computing the missing energy fields', () => {
    rmSync(join(OUT, 'cli'), { recursive: true, force: true });
    mkdirSync(join(OUT, 'cli'), { recursive: true });
    const run = runCli(['run', '--arch', 'edge', '--gemm', '64x48x96', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const json = join(OUT, 'cli', 'r.json');
    writeFileSync(json, run.stdout);
    const r = runCli(['report', json, '--out', join(OUT, 'cli', 'report'), '--node', '16', '--dram-type', 'hbm2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote \d+ files/);
    const md = readFileSync(join(OUT, 'cli', 'report', 'report.md'), 'utf8');
    expect(md).toContain('at 16 nm');
    expect(md).toContain('DRAM hbm2');
    // costed again at 16 nm with HBM2: less energy than the run's own 45 nm, LPDDR4 figure
    const again = runCli(['report', json, '--out', join(OUT, 'cli', 'report16'), '--node', '16', '--dram-type', 'hbm2', '--json']);
    const summary = JSON.parse(again.stdout) as { files: string[]; energy_pj: { total: number } };
    expect(summary.files).toContain('report.html');
    const own = JSON.parse(run.stdout) as { totals: { energy_pj: { total: number } } };
    expect(summary.energy_pj.total).toBeLessThan(own.totals.energy_pj.total);
    const papers = runCli(['report', '--papers']);
    expect(papers.code).toBe(0);
    expect(papers.stdout).toContain('| fp16 | paper | 1.10 | 0.0500 | 95.5% | 95% | +0.5 | yes |');
    expect(papers.stdout).toContain('| fp32 | paper | 4.60 | 1.00 | 78.3% | 80% | -1.7 | yes |');
  });
  it('bad input: clear errors, exit 2', () => {
    const json = join(OUT, 'cli', 'r.json');
    const cases: [string[], RegExp][] = [
      [['report', json, '--dram-type', 'ddr9'], /unknown DRAM type 'ddr9'; valid: .*lpddr4/],
      [['report', json, '--technology', 'tsmc3'], /unknown technology 'tsmc3'.*horowitz45, aladdin40/],
      [['report', join(OUT, 'nope.json')], /no such file or directory/],
      [['report', join(repoRoot, 'package.json')], /not a bitweave SimResult/],
      [['report', json, '--x-axis', 'cycles'], /--x-axis: only for a sweep directory; '.*r\.json' is one run's result/],
      [['report', json, '-y', 'cycles', '--color', 'pe'], /--y-axis, --color: only for a sweep directory/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn(`report browser test skipped: ${CHROMIUM} not found (install with .ci/install-system-deps.sh); it always runs under CI`);
}

describe.skipIf(!haveChromium && !process.env.CI)('report.html in a real browser (chromium via playwright-core)', () => {
  it('renders every chart of a zoo model\'s report (resnet18 on edge) and saves a screenshot', async () => {
    const { chromium } = await import('playwright-core');
    // the README's example: a zoo model through `run --out`, then `report` on that directory
    const dir = join(OUT, 'browser');
    rmSync(dir, { recursive: true, force: true });
    const run = runCli(['run', '--arch', 'edge', '--model', 'resnet18', '--out', dir]);
    expect(run.code, run.stderr).toBe(0);
    const rep = runCli(['report', dir]);
    expect(rep.code, rep.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto('file://' + join(dir, 'report.html'));
      const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          name: f.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg ? svg.querySelectorAll('rect.bar, circle, path.roof').length : 0,
          // the marks themselves have a visible size
          markArea: svg ? [...svg.querySelectorAll('rect.bar, circle')].reduce((s, e) => {
            const b = e.getBoundingClientRect();
            return s + b.width * b.height;
          }, 0) : 0,
        };
      }));
      expect(charts.map((c) => c.name)).toEqual(['energy.svg', 'area.svg', 'cycles.svg', 'roofline.svg']);
      for (const c of charts) {
        expect(c.width, c.name ?? '').toBeGreaterThan(100);
        expect(c.height, c.name ?? '').toBeGreaterThan(100);
        expect(c.marks, c.name ?? '').toBeGreaterThan(0);
        expect(c.markArea, c.name ?? '').toBeGreaterThan(0);
      }
      expect(await page.locator('table').count()).toBeGreaterThan(4);
      expect(errors).toEqual([]);
      // every one of resnet18's 21 layers in the roofline's legend, each in a colour of its own
      const files = Object.fromEntries(['report.md', 'energy.svg', 'area.svg', 'cycles.svg', 'roofline.svg']
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
      expectReadable(files);
      const result = JSON.parse(readFileSync(join(dir, 'sim_result.json'), 'utf8')) as { layers: { name: string }[] };
      expect(result.layers).toHaveLength(21);
      expect(legendEntries(files['roofline.svg']).map((e) => e.name)).toEqual(result.layers.map((l) => l.name));
      // rotated layer names below the bars are inside the picture: none cut at its edges
      const clipped = await page.$$eval('figure.chart svg', (svgs) => svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('.x-axis text, .legend text')].filter((t) => {
          const b = t.getBoundingClientRect();
          return b.width > 0 && (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5);
        }).map((t) => t.textContent);
      }));
      expect(clipped).toEqual([]);
      // nothing wider than the window: no sideways scrolling
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1100);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
      expect(existsSync(join(SCREENSHOTS, 'report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
