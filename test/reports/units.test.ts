/**
 * Numbers as the reports print them (reports/units.ts): each figure in the unit its
 * magnitude reads best in, never scientific notation. Expected strings typed in by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  AREA_UM2, BYTES, COUNT, EDP_J_S, ENERGY_PJ, OPS_PER_S, TIME_S, axisOf, formatField, formatNumber, formatPercent, formatQuantity, formatTick, quantityOf,
} from '../../reports/units.ts';

describe('SI-scaled figures', () => {
  it('energy, area, counts, bytes, time, rates in their best unit', () => {
    expect(formatQuantity(6.655e10, ENERGY_PJ)).toBe('66.55 mJ'); // the "6.655e+4 uJ"
    expect(formatQuantity(8e9, ENERGY_PJ)).toBe('8.000 mJ'); // the "8G pJ"
    expect(formatQuantity(0.3, ENERGY_PJ)).toBe('0.3000 pJ');
    expect(formatQuantity(153_600, ENERGY_PJ)).toBe('153.6 nJ');
    expect(formatQuantity(7e6, AREA_UM2)).toBe('7.000 mm^2'); // the "7M um^2"
    expect(formatQuantity(584_000, AREA_UM2)).toBe('0.5840 mm^2');
    expect(formatQuantity(838.6, AREA_UM2)).toBe('838.6 um^2');
    expect(formatQuantity(72_943_701, COUNT)).toBe('72.94 M');
    expect(formatQuantity(21, COUNT)).toBe('21');
    expect(formatQuantity(512_000, COUNT)).toBe('512.0 k');
    expect(formatQuantity(546_300_000, BYTES)).toBe('546.3 MB');
    expect(formatQuantity(512, BYTES)).toBe('512 B');
    expect(formatQuantity(0.1459, TIME_S)).toBe('145.9 ms');
    expect(formatQuantity(2.56e11, OPS_PER_S)).toBe('256.0 GOPS');
    expect(formatQuantity(0.009709, EDP_J_S)).toBe('9.709 mJ s');
    expect(formatQuantity(0, ENERGY_PJ)).toBe('0');
  });

  it('plain numbers and ticks never use an exponent', () => {
    expect(formatNumber(66_550)).toBe('66,550');
    expect(formatNumber(0.05452)).toBe('0.05452');
    expect(formatNumber(1.234e-7)).toBe('0.0000001234');
    expect(formatNumber(3)).toBe('3');
    expect(formatTick(0.6000000001)).toBe('0.6');
    expect(formatTick(250)).toBe('250');
    for (const v of [1e-9, 3.3e-7, 1e21, 6.655e4, 1.5e15]) {
      expect(formatNumber(v)).not.toMatch(/e/i);
      expect(formatTick(v)).not.toMatch(/e/i);
    }
    expect(formatPercent(0.768)).toBe('76.80%');
  });

  it('fields of a result: their quantity, unit and axis title', () => {
    expect(formatField('energy_pj.total', 4.04e9)).toBe('4.040 mJ');
    expect(formatField('accuracy_top1', 0.9)).toBe('90.00%');
    expect(formatField('derived.tops_per_w', 0.5349)).toBe('0.5349 TOPS/W');
    expect(formatField('cycles', 1_576_000)).toBe('1.576 M');
    expect(quantityOf('overall_utilization').label).toBe('utilization with stalls');
    expect(quantityOf('utilization').label).toBe('utilization without stalls');
    expect(axisOf(quantityOf('energy_pj.total'), [1e8, 4.2e10])).toEqual({ factor: 1e9, title: 'energy (mJ)' });
    expect(axisOf(quantityOf('area_um2.total'), [1.1e6, 7e6])).toEqual({ factor: 1e6, title: 'area (mm^2)' });
    expect(axisOf(quantityOf('accuracy_top1'), [0.88, 0.9])).toEqual({ factor: 0.01, title: 'top-1 accuracy (%)' });
    expect(axisOf(quantityOf('cycles'), [1.5e6, 1.4e7])).toEqual({ factor: 1e6, title: 'cycles (M)' });
  });
});
