/**
 * The README's examples run as written: every `npx bitweave ...` line of its `sh` code
 * blocks, in README order, in one scratch folder (the repository's models/, examples/ and
 * test/fixtures/ linked in, so relative paths resolve as in a checkout; out/ lands in the scratch folder).
 * Each must exit 0 (or, where the README shows a refusal, exit 2 with the message it quotes);
 * where the README states what a command prints, the output must say it.
 * A line too slow for `npm test` is skipped by name with the reason, and a skip that no
 * longer names a README line fails, so neither list can drift from the README.
 * Also: every input file a command's --help example names exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, repoRoot } from './run-cli.ts';

interface Example {
  /** 1-based line number in README.md */
  readonly line: number;
  /** the command line as written, without its trailing comment */
  readonly command: string;
}

/** The `npx bitweave` lines of the README's sh code blocks. */
function readmeExamples(text: string): Example[] {
  const out: Example[] = [];
  let inSh = false;
  text.split('\n').forEach((raw, i) => {
    const fence = /^```(\w*)/.exec(raw);
    if (fence) {
      inSh = !inSh && fence[1] === 'sh';
      return;
    }
    if (!inSh || !raw.includes('npx bitweave')) return;
    const command = raw.replace(/\s+#\s.*$/, '').trim();
    out.push({ line: i + 1, command });
  });
  return out;
}

/** Lines not run here, each with the reason (matched on the start of the command). */
const SKIP: Record<string, string> = {
  'npx bitweave sweep-merge out/sweep/merged out/sweep/shard-*':
    'merges a Slurm job array\'s shards: test/sweep/slurm.test.ts submits the array and runs this merge',
  'npx bitweave report out/sweep/merged': 'the report of that merge (see the line above)',
  'npx bitweave accuracy --model cnn --pe fp8-e4m3 --jobs 2': 'all 10,000 test images (a minute on two cores); test/accuracy/ runs this path on fewer',
  'npx bitweave accuracy --model vit --pe fp32 --attention-pe lmul-m4': 'all 10,000 test images through the ViT; test/accuracy/ runs this path on fewer',
  'npx bitweave accuracy --model bcnn --pe xnor': 'all 10,000 test images; test/accuracy/ runs the XNOR path on fewer',
  'npx bitweave accuracy --model mlp --pe bf16 --acc bf16': '1,000 images through a bf16 accumulator (minutes); test/accuracy/ runs this path on fewer',
  'npx bitweave run --arch edge --model cnn --pe lmul-m4 --functional --dataset fmnist': '1,000 images through L-Mul (minutes); test/accuracy/ runs run --dataset on fewer',
  'npx bitweave sweep examples/accuracy-sweep.yaml': 'nine accuracy runs of 500 images (minutes); test/reports/sweep-report.test.ts reports an accuracy sweep',
  'npx bitweave report --papers --technology gates45':
    'prices the papers\' units and the EN-T design points from the netlists (40 s on a loaded machine); test/cli/gates-cli.test.ts runs it',
  'npx bitweave exec --model test/fixtures/onnx/gpt2_block/model.onnx --input test/fixtures/onnx/gpt2_block/input.npy --pe fp8-e4m3,int8 --technology gates45':
    'gate-level pricing of every GEMM of two PE setups (20 s on a loaded machine); test/cli/gates-cli.test.ts runs this command',
  'npx bitweave accuracy --model cnn --pe int8 --limit 1000 --energy --gate-zeros':
    '1,000 images and a gate-level pricing of every layer (minutes on a loaded machine); test/cli/gates-cli.test.ts runs accuracy --energy on fewer',
  'npx bitweave accuracy --model lm-austen --pe fp32 --attention-pe lmul-m4 --limit 64 --jobs 2':
    '64 windows of 1.2e8 MACs each (minutes); test/lm/lm-accuracy.test.ts runs attention-only L-Mul on one',
  'npx bitweave run --model lm-austen --pe lmul-m4 --dataset austen --limit 4':
    'simulates the LM and evaluates 4 windows in L-Mul (a minute); test/lm/ and test/cli/lm.test.ts run both paths',
  'npx bitweave rtl check --pe bf16': 'needs Verilator and builds a design (seconds to a minute); test/rtl/pe-wide.test.ts co-simulates the wide PEs',
  'npx bitweave rtl check --pe lmul-bf16 --array 8x8': 'needs Verilator and builds an 8x8 array (half a minute or more); test/rtl/array.test.ts co-simulates the arrays',
  'npx bitweave rtl check --pe fp8-e4m3+acc-bf16 --array 4x4': 'needs Verilator and builds a 4x4 array; test/rtl/array.test.ts co-simulates the arrays',
};

/** Examples the README shows being refused: exit 2, and the message it quotes on stderr. */
const REFUSED: Record<string, string> = {
  'npx bitweave run --gemm 64x64x20000000': '--gemm: K is 20,000,000; the limit is 16,777,216 (raise it with --max dim=N)',
};

/** What the README says a command prints, checked in its output. */
const PRINTS: Record<string, readonly string[]> = {
  'npx bitweave run --gemm 128x64x256 --compat scalesim --dataflow os': ['2.543 k'],
  "printf '464\\n465\\n0.1\\n' | npx bitweave quantize --format e4m3": ['464,0x7e,448', '465,0x7f,nan', '0.1,0x1d,0.1015625'],
  'echo 1e6 | npx bitweave quantize --format e5m2 --saturate': ['0x7b,57344'],
  'echo "3fc0 3fc0" | npx bitweave mul --pe lmul-bf16': ['0x3fc0,0x3fc0,0x4008,2.125'],
  'echo "39 39" | npx bitweave mul --pe fp8-e4m3': [',1.25'],
  'echo "39 39" | npx bitweave mul --pe fp8-e4m3 --product fp32': [',1.265625'],
  'npx bitweave run --arch edge --gemm 64x64x1000 --pe bf16 --acc bf16 --functional --accumulate top': ['35049887 (max err 2.65)'],
  'npx bitweave run --arch edge --gemm 64x64x1000 --pe bf16 --acc bf16 --functional --accumulate below': ['17cfb243 (max err 0.671)'],
  'npx bitweave exec --model test/fixtures/onnx/gpt2_block/model.onnx --input test/fixtures/onnx/gpt2_block/input.npy --pe fp8-e4m3,lmul-bf16':
    ['8.23e-2  2.73e-2  32.2    0.999703  e06e8b6c9971c53c', '8.23e-2  2.74e-2  34.1    0.999807  b7af07ac9e0feec1'],
  'npx bitweave generate --prompt "It was a truth universally acknowledged, that" --tokens 40': [' he had been\nto be a supposed to the par'],
};

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const examples = readmeExamples(readme);
const skipOf = (c: string) => Object.keys(SKIP).find((k) => c.startsWith(k));

describe('README examples', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'bitweave-readme-'));
  symlinkSync(join(repoRoot, 'models'), join(scratch, 'models'));
  symlinkSync(join(repoRoot, 'examples'), join(scratch, 'examples'));
  mkdirSync(join(scratch, 'test'));
  symlinkSync(join(repoRoot, 'test', 'fixtures'), join(scratch, 'test', 'fixtures'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds the examples, and every skip and expected output names one of them', () => {
    expect(examples.length).toBeGreaterThan(30);
    for (const k of Object.keys(SKIP)) expect(examples.some((e) => e.command.startsWith(k)), `stale skip: ${k}`).toBe(true);
    for (const k of Object.keys(PRINTS)) expect(examples.some((e) => e.command === k), `stale expectation: ${k}`).toBe(true);
    for (const k of Object.keys(REFUSED)) expect(examples.some((e) => e.command === k), `stale refusal: ${k}`).toBe(true);
  });

  it('every other example runs as written and prints what the README says', () => {
    const ran = new Set<string>();
    for (const { line, command } of examples) {
      if (skipOf(command) !== undefined || ran.has(command)) continue;
      ran.add(command);
      const shell = command.replace(/^npm ci && /, '').replaceAll('npx bitweave', `"${process.execPath}" "${bin}"`);
      const r = spawnSync('sh', ['-c', shell], {
        cwd: scratch, encoding: 'utf8', env: { ...process.env, BITWEAVE_LOG_LEVEL: 'warn' }, maxBuffer: 256 << 20,
      });
      const what = `README.md:${line}: ${command}`;
      const refusal = REFUSED[command];
      expect(r.status, `${what}\n${r.stderr}`).toBe(refusal === undefined ? 0 : 2);
      if (refusal !== undefined) expect(r.stderr, what).toContain(refusal);
      for (const s of PRINTS[command] ?? []) expect(r.stdout, what).toContain(s);
    }
    expect(ran.size).toBeGreaterThan(20);
    // some 50 commands, each a fresh node process (1-10 s each on a loaded machine)
  }, 600_000);
});

describe('--help examples', () => {
  it('every input file an example names exists', () => {
    // read from the sources: --help wraps long paths across lines
    const dir = join(repoRoot, 'cli', 'commands');
    const sources = [join(repoRoot, 'cli', 'main.ts'), ...readdirSync(dir).map((f) => join(dir, f))];
    let files = 0;
    for (const src of sources) {
      for (const m of readFileSync(src, 'utf8').matchAll(/\.example\(\s*'([^']*)'/g)) {
        for (const file of m[1].match(/[\w./-]+\.(?:ya?ml|csv|cfg|onnx)\b/g) ?? []) {
          files++;
          expect(existsSync(join(repoRoot, file)), `${src}: example '${m[1]}' names ${file}`).toBe(true);
        }
      }
    }
    expect(files).toBeGreaterThan(3);
  });
});
