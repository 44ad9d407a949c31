
describe('the fast dot products follow the accumulator the options build', () => {
  // --acc-bits 24 keeps fp32's format but truncates (limited-acc.ts): the plain-fp32 kernels,
  // which round to nearest, must not be chosen for it
  for (const [name, opts] of [['bf16', { accBits: 24 }], ['fp8-e4m3', { accBits: 24 }], ['lmul-bf16', { accBits: 24 }]] as [string, PeOptions][]) {
    it(`${name} ${JSON.stringify(opts)}: dot equals product-by-product mac`, () => {
      const pe = getPe(name, opts);
      const r = rng(5);
      const a = operands(pe, 'input', 4096, r, 0), b = operands(pe, 'weight', 4096, r, 0);
      for (let off = 0; off < 4096; off += 64) {
        let s = pe.accZero;
        for (let i = off; i < off + 64; i++) s = pe.mac(s, a[i], b[i]);
        expect(pe.dot(a, off, 1, b, off, 1, 64, pe.accZero)).toBe(s);
      }
    });
  }
});
