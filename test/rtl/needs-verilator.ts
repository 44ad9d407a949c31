/**
 * The RTL tests need Verilator. Under CI (env CI set) they always run, and fail if it is
 * missing (.ci/install-system-deps.sh installs it); elsewhere they are skipped with a notice.
 */
import { verilatorVersion } from '../../rtl/cosim/verilator.ts';

const version = verilatorVersion();
const ci = !!process.env.CI && process.env.CI !== 'false';

/** true when the RTL tests should be skipped */
export const skipRtl = !version && !ci;

if (skipRtl) {
  console.warn('RTL co-simulation tests SKIPPED: verilator is not installed (Debian package verilator); under CI they always run.');
}
