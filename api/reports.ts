/**
 * Reports of runs and sweeps as `bitweave report` writes them: Markdown, self-contained HTML
 * and SVG charts (d3-node), returned as file contents; the caller writes them. A separate
 * entry point, 'bitweave/reports', so that importing 'bitweave' does not load d3-node.
 */
export { buildReport, hasCost, type ReportFiles, type ReportOptions } from '../reports/cost-report.ts';
export { buildSweepReport, paretoFront, type SweepReport, type SweepReportOptions } from '../reports/sweep-report.ts';
export {
  AREA_UM2, BYTES, COUNT, ENERGY_PJ, OPS_PER_S, TIME_S, formatNumber, formatPercent, formatQuantity, type Ladder,
} from '../reports/units.ts';
