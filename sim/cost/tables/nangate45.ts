/**
 * Standard cells of the NanGate FreePDK45 Open Cell Library (45 nm), the cells the generic
 * gates of bitweave's netlists map to one for one (rtl/gates/synth.ts: `abc -g
 * AND,NAND,NOR,XOR`, NOT and D flip-flops): NOT -> INV_X1, AND -> AND2_X1, NAND -> NAND2_X1,
 * NOR -> NOR2_X1, XOR -> XOR2_X1, DFF -> DFF_X1.
 *
 * Source: NangateOpenCellLibrary_typical.lib (Liberty, "revision 1.0", Thu 10 Feb 2011,
 * NGLibraryCharacterizer v2011.01-HR04; corner typical: TypTyp, 1.10 V, 25 C; units: area um^2,
 * leakage nW, capacitance fF, internal energy fJ = fF x V^2), read from the copy stored in
 * the GitHub repository Max-astro/dp-buffer-insertion (file NangateOpenCellLibrary_typical.lib,
 * commit 9969ff5bbcdd4f14d67945c489c032cd8ab2e2da).
 *
 * Internal energy per output transition: the library's `internal_power` tables (Power_7_7,
 * 7 input transitions x 7 output loads) read at one operating point for every cell: input
 * transition 0.0171859 ns (index 3 of 7) and the third load of the cell's own index_2 (for X1
 * cells 1.6-3.8 fF, about two gate loads). Per arc (related pin, and `when` condition where the
 * library gives several) the mean of rise_power and fall_power is the energy of one output
 * toggle through it; the cell's figure is the mean over its arcs. Switching energy of the wiring
 * and of the input pins a net drives is added per net (sim/cost/gates/cells.ts: 1/2 C V^2), with
 * the library's default wire-load model.
 */
import type { Provenance } from '../types.ts';

export const NANGATE45_SOURCE =
  'NanGate FreePDK45 Open Cell Library, NangateOpenCellLibrary_typical.lib (revision 1.0, 10 Feb 2011; typical corner, ' +
  '1.10 V, 25 C), as stored in github.com/Max-astro/dp-buffer-insertion at commit 9969ff5b';

export interface CellEntry extends Provenance {
  /** the library cell */
  readonly cell: string;
  readonly area_um2: number;
  /** cell_leakage_power, nW */
  readonly leakage_nw: number;
  /** input pin capacitances, fF */
  readonly pin_cap_ff: readonly number[];
  /** internal energy per output toggle, fJ (see the module comment) */
  readonly internal_fj: number;
}

export interface FlipFlopEntry extends Provenance {
  readonly cell: string;
  readonly area_um2: number;
  readonly leakage_nw: number;
  readonly d_cap_ff: number;
  readonly ck_cap_ff: number;
  /** internal energy of one clock cycle (a rising and a falling CK edge) when Q does not change, fJ */
  readonly clock_hold_fj: number;
  /** internal energy of a clock cycle in which Q (and QN) toggles, fJ */
  readonly clock_toggle_fj: number;
  /** internal energy of a D input toggle, fJ */
  readonly d_toggle_fj: number;
}

export interface WireLoadEntry extends Provenance {
  /** capacitance per unit of length, fF */
  readonly cap_per_length_ff: number;
  /** fanout -> length */
  readonly fanout_length: readonly (readonly [number, number])[];
  /** length per extra fanout beyond the table */
  readonly slope: number;
}

const at = (cell: string, what: string) => `${NANGATE45_SOURCE}: cell ${cell}, ${what}`;

/** The generic gate -> cell table. */
export const NANGATE45_CELLS: Readonly<Record<'NOT' | 'AND' | 'NAND' | 'NOR' | 'XOR', CellEntry>> = {
  NOT: {
    cell: 'INV_X1', source: at('INV_X1', 'area, cell_leakage_power, pin A capacitance, internal_power A->ZN'),
    node_nm: 45, verified: true,
    note: 'internal: fall -0.000300 fJ, rise 1.897133 fJ',
    area_um2: 0.532, leakage_nw: 14.353185, pin_cap_ff: [1.70023], internal_fj: (-0.0003 + 1.897133) / 2,
  },
  AND: {
    cell: 'AND2_X1', source: at('AND2_X1', 'area, cell_leakage_power, pin capacitances, internal_power'),
    node_nm: 45, verified: true,
    note: 'internal: A1 rise 1.955658, A2 fall 3.396745, A2 rise 1.937484 fJ; the A1 fall entry was outside the part of the file read, so A2\'s fall stands for it',
    area_um2: 1.064, leakage_nw: 25.066064, pin_cap_ff: [0.918145, 0.97463],
    internal_fj: ((3.396745 + 1.955658) / 2 + (3.396745 + 1.937484) / 2) / 2,
  },
  NAND: {
    cell: 'NAND2_X1', source: at('NAND2_X1', 'pin capacitances, internal_power; area and leakage derived (note)'),
    node_nm: 45, verified: false,
    note: 'pins A1 1.599032, A2 1.664199 fF; internal A1 fall 0.174115 / rise 2.183357, A2 fall 0.137653 / rise 2.872034 fJ (read). ' +
      'Area 0.798 um^2 = 3 placement sites of 0.266 um^2, as every X1 area read in the file is (INV 0.532 = 2, AND2 1.064 = 4, ' +
      'XOR2 1.596 = 6, DFF 4.522 = 17 sites; NAND2_X2 1.330). Leakage: half of NAND2_X2\'s 34.786630 nW (AND2_X2 / AND2_X1 = 2.009 in the same file)',
    area_um2: 0.798, leakage_nw: 34.78663 / 2, pin_cap_ff: [1.599032, 1.664199],
    internal_fj: ((0.174115 + 2.183357) / 2 + (0.137653 + 2.872034) / 2) / 2,
  },
  NOR: {
    cell: 'NOR2_X1', source: at('NOR2_X1', 'pin capacitances, internal_power; area and leakage derived (note)'),
    node_nm: 45, verified: false,
    note: 'pins A1 1.714471, A2 1.651345 fF; internal A1 fall -0.000499 / rise 2.274935, A2 fall 0.117578 / rise 3.019595 fJ (read). ' +
      'Area 0.798 um^2 (3 sites; NOR2_X2 1.330 as NAND2_X2); leakage half of NOR2_X2\'s 42.399074 nW',
    area_um2: 0.798, leakage_nw: 42.399074 / 2, pin_cap_ff: [1.714471, 1.651345],
    internal_fj: ((-0.000499 + 2.274935) / 2 + (0.117578 + 3.019595) / 2) / 2,
  },
  XOR: {
    cell: 'XOR2_X1', source: at('XOR2_X1', 'area, cell_leakage_power, pin capacitances, internal_power (4 conditional arcs)'),
    node_nm: 45, verified: true,
    note: 'internal: A when !B 4.706561 / 3.795655, A when B 0.136193 / 2.740166, B when !A 5.039743 / 3.417613, B when A -0.000797 / 3.744530 fJ (fall / rise)',
    area_um2: 1.596, leakage_nw: 36.163718, pin_cap_ff: [2.232144, 2.411453],
    internal_fj: ((4.706561 + 3.795655) / 2 + (0.136193 + 2.740166) / 2 + (5.039743 + 3.417613) / 2 + (-0.000797 + 3.74453) / 2) / 4,
  },
};

export const NANGATE45_DFF: FlipFlopEntry = {
  cell: 'DFF_X1',
  source: at('DFF_X1', 'area, cell_leakage_power, D and CK capacitances, CK and D hidden power, Q / QN internal_power'),
  node_nm: 45,
  verified: true,
  note:
    'CK hidden power at 0.0171859 ns (fall / rise): !D&!Q 4.474442 / 2.419478, !D&Q 7.553889 / 0, D&!Q 7.510408 / 0, D&Q 4.243058 / 2.608469 fJ; ' +
    'CK->Q 4.093420 / 4.302735, CK->QN 4.340207 / 4.096452 fJ; D hidden power !CK&!Q 4.232647 / 3.057099, !CK&Q 4.176186 / 3.017534, ' +
    'CK&!Q 0.699974 / -0.635332, CK&Q 0.659383 / -0.553300 fJ. Hold: the D == Q conditions, both edges; toggle: the D != Q ' +
    'conditions plus the Q and QN arcs; D toggle: the mean over the four conditions',
  area_um2: 4.522,
  leakage_nw: 79.112308,
  d_cap_ff: 1.14029,
  ck_cap_ff: 0.949653,
  clock_hold_fj: (4.474442 + 2.419478 + 4.243058 + 2.608469) / 2,
  clock_toggle_fj: (7.553889 + 7.510408) / 2 + (4.09342 + 4.302735) / 2 + (4.340207 + 4.096452) / 2,
  d_toggle_fj: ((4.232647 + 3.057099) / 2 + (4.176186 + 3.017534) / 2 + (0.699974 - 0.635332) / 2 + (0.659383 - 0.5533) / 2) / 4,
};

export const NANGATE45_WIRE: WireLoadEntry = {
  source: `${NANGATE45_SOURCE}: wire_load("5K_hvratio_1_1"), the library's default_wire_load`,
  node_nm: 45,
  verified: true,
  note: 'capacitance 0.1774 per unit length; lengths for fanouts 1-9 and 11; slope 5.0 beyond',
  cap_per_length_ff: 0.1774,
  fanout_length: [[1, 1.746], [2, 3.9394], [3, 6.4626], [4, 9.2201], [5, 11.9123], [6, 14.8358], [7, 18.6155], [8, 22.6727], [9, 25.4842], [11, 27.032]],
  slope: 5.0,
};

export const NANGATE45_VDD = 1.1;
