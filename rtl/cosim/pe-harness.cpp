// Co-simulation harness of a PE check top (ports a, b, acc_in -> p, acc_out; combinational):
// reads records of three little-endian uint32 (a, b, acc_in) from the file argv[1], writes
// records of two uint32 (p, acc_out) to argv[2]. Bulk file I/O keeps Verilator's eval the cost.
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) { std::fprintf(stderr, "usage: %s IN OUT\n", argv[0]); return 2; }
  VerilatedContext ctx;
  Vtop top{&ctx};
  FILE* in = std::fopen(argv[1], "rb");
  FILE* out = std::fopen(argv[2], "wb");
  if (!in || !out) { std::perror("open"); return 2; }
  const size_t chunk = 1 << 16;
  std::vector<uint32_t> buf(chunk * 3), res(chunk * 2);
  for (;;) {
    size_t n = std::fread(buf.data(), sizeof(uint32_t) * 3, chunk, in);
    if (n == 0) break;
    for (size_t i = 0; i < n; i++) {
      top.a = buf[3 * i];
      top.b = buf[3 * i + 1];
      top.acc_in = buf[3 * i + 2];
      top.eval();
      res[2 * i] = top.p;
      res[2 * i + 1] = top.acc_out;
    }
    if (std::fwrite(res.data(), sizeof(uint32_t) * 2, n, out) != n) { std::perror("write"); return 1; }
  }
  top.final();
  std::fclose(in);
  if (std::fclose(out) != 0) { std::perror("close"); return 1; }
  return 0;
}
