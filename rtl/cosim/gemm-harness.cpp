// Co-simulation harness of a GEMM top (controller + array + memories). Input file argv[1]:
// uint32 words: NOUT, ADDR_BITS, DATA_BITS, M, N, K, MAX_CYCLES, then M*K words of A and K*N
// words of B (bit patterns). It loads the memories, pulses start and clocks until done,
// writing one record (cycle, address, data) per output write to argv[2], then a final
// record (0xFFFFFFFF, cycles run, 0).
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <vector>

static inline uint64_t getbits(uint64_t v, int lo, int w) {
  return (v >> lo) & (w >= 64 ? ~0ULL : ((1ULL << w) - 1));
}
template <std::size_t N>
static inline uint64_t getbits(const VlWide<N>& v, int lo, int w) {
  const WData* d = v.data();
  uint64_t r = 0;
  for (int i = 0; i < w; i++) {
    int b = lo + i;
    if ((d[b >> 5] >> (b & 31)) & 1U) r |= (1ULL << i);
  }
  return r;
}

int main(int argc, char** argv) {
  if (argc < 3) { std::fprintf(stderr, "usage: %s IN OUT\n", argv[0]); return 2; }
  FILE* in = std::fopen(argv[1], "rb");
  if (!in) { std::perror("open"); return 2; }
  uint32_t hdr[7];
  if (std::fread(hdr, 4, 7, in) != 7) { std::fprintf(stderr, "short header\n"); return 2; }
  const uint32_t nout = hdr[0], ab = hdr[1], db = hdr[2], M = hdr[3], N = hdr[4], K = hdr[5], maxCycles = hdr[6];
  std::vector<uint32_t> a(size_t(M) * K), b(size_t(K) * N);
  if (std::fread(a.data(), 4, a.size(), in) != a.size() || std::fread(b.data(), 4, b.size(), in) != b.size()) {
    std::fprintf(stderr, "short operands\n"); return 2;
  }
  std::fclose(in);
  VerilatedContext ctx;
  Vtop top{&ctx};
  auto tick = [&]() { top.clk = 1; top.eval(); top.clk = 0; top.eval(); };
  top.clk = 0; top.start = 0; top.ld_we = 0; top.eval();
  for (size_t i = 0; i < a.size(); i++) { top.ld_we = 1; top.ld_sel = 0; top.ld_addr = uint32_t(i); top.ld_d = a[i]; tick(); }
  for (size_t i = 0; i < b.size(); i++) { top.ld_we = 1; top.ld_sel = 1; top.ld_addr = uint32_t(i); top.ld_d = b[i]; tick(); }
  top.ld_we = 0;
  top.m = M; top.n = N; top.k = K;
  top.start = 1; tick(); top.start = 0; top.eval();
  std::vector<uint32_t> rec;
  uint32_t cycles = 0;
  for (uint32_t guard = 0; !top.done; guard++) {
    if (guard > maxCycles) { std::fprintf(stderr, "no done after %u cycles\n", maxCycles); return 1; }
    for (uint32_t i = 0; i < nout; i++) {
      if (getbits(top.out_we, int(i), 1)) {
        rec.push_back(top.cycle);
        rec.push_back(uint32_t(getbits(top.out_addr, int(i * ab), int(ab))));
        rec.push_back(uint32_t(getbits(top.out_d, int(i * db), int(db))));
      }
    }
    if (top.busy) cycles = top.cycle + 1;
    tick();
  }
  rec.push_back(0xFFFFFFFFu); rec.push_back(cycles); rec.push_back(0);
  top.final();
  FILE* out = std::fopen(argv[2], "wb");
  if (!out || std::fwrite(rec.data(), 4, rec.size(), out) != rec.size() || std::fclose(out) != 0) { std::perror("write"); return 1; }
  return 0;
}
