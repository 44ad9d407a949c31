/** Types for d3-node 4 (ESM, ships no types): the part bitweave uses. */
declare module 'd3-node' {
  import type * as d3 from 'd3';
  export interface D3NodeOptions {
    readonly selector?: string;
    readonly container?: string;
    readonly styles?: string;
  }
  export class D3Node {
    constructor(options?: D3NodeOptions);
    readonly d3: typeof d3;
    readonly document: Document;
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): d3.Selection<SVGSVGElement, unknown, null, undefined>;
    svgString(): string;
    html(): string;
  }
}
