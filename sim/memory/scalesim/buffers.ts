/**
 * SCALE-Sim v2's scratchpad buffers, ported to count what its reports print (DRAM words,
 * the cycles of the first and last DRAM transfer, stalls) without its traces' addresses:
 *
 *  - `EstimateReadBuffer`: scalesim/memory/read_buffer_estimate_bw.py, the ifmap and filter
 *    buffers under `InterfaceBandwidth: CALC` (never stall; the DRAM transfers are scheduled
 *    into the cycles the array spent consuming the previous batch);
 *  - `ReadBuffer`: scalesim/memory/read_buffer.py, the double-buffered read buffer under
 *    `USER` bandwidth (fetches the prefetch matrix through the DRAM port in lines of
 *    `bandwidth` words; a miss swaps buffers and waits for the next prefetch: stalls);
 *  - `WriteBuffer`: scalesim/memory/write_buffer.py, the ofmap buffer, drained to DRAM in
 *    lines of `bandwidth` words when its active half fills (and at the end).
 *
 * The read port answers after 1 cycle, the write port at once (read_port.py, write_port.py).
 * SCALE-Sim's quirks are kept, each marked where it is: parity means its numbers, not
 * corrected ones.
 */

/** DRAM port latencies of SCALE-Sim v2 (read_port.py: 1, write_port.py: 0) */
const READ_PORT_LATENCY = 1;
const WRITE_PORT_LATENCY = 0;
/** a request served from the buffer takes this long */
export const HIT_LATENCY = 1;

/** What a buffer moved to or from DRAM: words, and the cycles of the first and last transfer. */
export interface DramActivity {
  readonly words: number;
  readonly start: number;
  readonly stop: number;
}

/** What a read buffer must offer the memory system. */
export interface ReadBufferModel {
  /** serves one demand row arriving at `cycle`, its `count` requests in addrs[0 .. count); returns the cycle it is served */
  serve(cycle: number, addrs: Int32Array, count: number): number;
  /** called once the last row is served */
  finish(): void;
  dram(): DramActivity;
}

/**
 * read_buffer_estimate_bw.py: the buffer is 100 sets of floor(size / 100) words; the first
 * `active` sets of distinct addresses requested are fetched before the first request, each
 * later batch of `prefetch` sets during the cycles the previous batch was being used, at the
 * bandwidth that needs.
 */
export class EstimateReadBuffer implements ReadBufferModel {
  private readonly itemsPerSet: number;
  private readonly setsActive: number;
  private readonly setsPrefetch: number;
  private readonly defaultBw: number;
  /** per address, the last set it went into (-1: none) */
  private readonly setOf: Int32Array;
  /** size of every set so far (the current one last) */
  private readonly setSizes: number[] = [0];
  private currentSet = 0;
  private readStart: number;
  private readEnd: number;
  private prefetchStart = -1;
  private prefetchEnd = -1;
  private lastPrefetchStart = -2;
  private lastPrefetchEnd = -1;
  private firstRequestCycle = 0;
  private firstRequestSeen = false;
  private activePrefetchDone = false;
  private words = 0;
  private start: number | undefined;
  private stop = 0;

  /** addresses are below `extent` */
  constructor(totalBytes: number, bandwidth: number, extent: number, activeFrac = 0.5) {
    this.setOf = new Int32Array(extent).fill(-1);
    const elems = Math.floor(totalBytes); // word size 1
    this.itemsPerSet = Math.floor(elems / 100);
    this.setsActive = Math.trunc(activeFrac * 100);
    this.setsPrefetch = 100 - this.setsActive;
    this.defaultBw = bandwidth;
    this.readStart = 0;
    this.readEnd = this.setsActive - 1;
  }

  serve(cycle: number, addrs: Int32Array, count: number): number {
    if (count > 0 && !this.firstRequestSeen) {
      this.firstRequestCycle = cycle;
      this.firstRequestSeen = true;
    }
    for (let i = 0; i < count; i++) this.manage(cycle, addrs[i]);
    return cycle + HIT_LATENCY; // estimate mode: always a hit, never a stall
  }

  private manage(cycle: number, addr: number): void {
    const s = this.setOf[addr];
    // a hit in the read sets, or already in the set being filled
    if (s >= this.readStart && s < Math.min(this.currentSet, this.readEnd + 1)) return;
    if (s === this.currentSet) return;
    this.setOf[addr] = this.currentSet;
    this.setSizes[this.currentSet]++;
    if (this.setSizes[this.currentSet] !== this.itemsPerSet) return;
    this.currentSet++;
    this.setSizes.push(0);
    if (this.currentSet !== this.readEnd + 1) return;
    if (!this.activePrefetchDone) {
      const bw = this.defaultBw;
      this.lastPrefetchEnd = this.firstRequestCycle - 1 - READ_PORT_LATENCY;
      const cycles = Math.ceil((this.setsPrefetch * this.itemsPerSet) / bw);
      this.lastPrefetchStart = this.lastPrefetchEnd - cycles + 1;
      this.prefetch(0, this.setsActive - 1);
      this.prefetchStart = this.readEnd + 1;
      this.prefetchEnd = this.prefetchStart + this.setsPrefetch - 1;
      this.activePrefetchDone = true;
    } else {
      this.prefetch(this.prefetchStart, this.prefetchEnd);
      this.prefetchStart += this.setsPrefetch;
      this.prefetchEnd += this.setsPrefetch;
    }
    // the sets just read are dropped (read_buffer_estimate_bw.py sets them to None)
    this.readStart += this.setsPrefetch;
    this.readEnd += this.setsPrefetch;
    this.lastPrefetchStart = this.lastPrefetchEnd + 1;
    this.lastPrefetchEnd = cycle;
  }

  /** one DRAM transfer of sets [from, to], over cycles lastPrefetchStart..lastPrefetchEnd */
  private prefetch(from: number, to: number): void {
    for (let s = from; s <= to; s++) this.words += this.setSizes[s] ?? 0;
    const cycles = this.lastPrefetchEnd - this.lastPrefetchStart + 1;
    // the trace's rows: one per cycle, answered by the read port
    const first = this.lastPrefetchStart + READ_PORT_LATENCY;
    this.start ??= first;
    this.stop = first + cycles - 1;
  }

  finish(): void {
    const currentEmpty = this.setSizes[this.currentSet] === 0;
    if (currentEmpty) this.currentSet--; // an empty set is not counted
    if (!this.activePrefetchDone) {
      this.lastPrefetchEnd = -1 - READ_PORT_LATENCY;
      const sets = this.currentSet + 1;
      const cycles = Math.ceil((sets * this.itemsPerSet) / this.defaultBw);
      this.lastPrefetchStart = this.lastPrefetchEnd - cycles + 1;
      this.prefetch(0, sets - 1);
      this.activePrefetchDone = true;
    } else {
      this.prefetchEnd = this.currentSet;
      this.prefetch(this.prefetchStart, this.prefetchEnd);
    }
  }

  dram(): DramActivity {
    return { words: this.words, start: this.start ?? 0, stop: this.stop };
  }
}

/**
 * read_buffer.py: the prefetch matrix (./demand.ts) is cut into 100 sets of
 * ceil(buffer words / 100) requested entries (the hashed buffer; a repeated address counts as
 * an entry but is one member); the active half holds the first sets, the prefetch half the
 * next. A request for an address outside the active sets rotates the halves and issues the
 * next prefetch: ceil(prefetch words / bandwidth) DRAM lines, one a cycle after the last one
 * returned; the request waits until it has returned.
 */
export class ReadBuffer implements ReadBufferModel {
  private readonly bw: number;
  private readonly activeSize: number;
  private readonly prefetchSize: number;
  /** the sets holding each address, ascending: setList[setStart[a] .. setStart[a + 1]) */
  private readonly setStart: Int32Array;
  private readonly setList: Int32Array;
  private readonly numSets: number;
  private readonly numActiveSets: number;
  private readonly numPrefetchSets: number;
  /** rows of the fetch matrix: the prefetch matrix in lines of `bandwidth` entries */
  private readonly fetchRows: number;
  private activeStart = 0;
  private activeEnd = 0;
  private lastPrefetchCycle = -1;
  private full = false;
  private words = 0;
  private start = 0;
  private stop = 0;

  /** `fetch` walks the prefetch matrix (read_buffer.set_fetch_matrix); addresses are below `extent` */
  constructor(totalBytes: number, bandwidth: number, extent: number, fetch: (visit: (addr: number) => void) => void, activeFrac = 0.5) {
    const elems = Math.floor(totalBytes); // word size 1
    this.activeSize = Math.ceil(elems * activeFrac);
    this.prefetchSize = elems - this.activeSize;
    this.bw = bandwidth;
    // prepare_hashed_buffer: sets of `perSet` valid entries; per address the sets it is in
    // (two walks: count, then fill)
    const perSet = Math.ceil(elems / 100);
    const last = new Int32Array(extent).fill(-1);
    const count = new Int32Array(extent + 1);
    let entries = 0, valid = 0;
    fetch((addr) => {
      entries++;
      if (addr === -1) return;
      const set = Math.floor(valid / perSet);
      valid++;
      if (last[addr] !== set) {
        last[addr] = set;
        count[addr + 1]++;
      }
    });
    for (let a = 0; a < extent; a++) count[a + 1] += count[a];
    this.setStart = count;
    this.setList = new Int32Array(count[extent]);
    const fill = count.slice(0, extent);
    last.fill(-1);
    let v = 0;
    fetch((addr) => {
      if (addr === -1) return;
      const set = Math.floor(v / perSet);
      v++;
      if (last[addr] !== set) {
        last[addr] = set;
        this.setList[fill[addr]++] = set;
      }
    });
    this.fetchRows = Math.ceil(entries / bandwidth);
    // the set left after the last full one counts, empty or not
    this.numSets = Math.floor(valid / perSet) + 1;
    this.numActiveSets = Math.min(Math.ceil(this.activeSize / perSet), this.numSets);
    this.numPrefetchSets = Math.min(Math.ceil(this.prefetchSize / perSet), this.numSets - this.numActiveSets);
  }

  /** whether `addr` is in the active sets: [start, end), or wrapped around [start, numSets) + [0, end) */
  private hit(addr: number): boolean {
    const { activeStart: s, activeEnd: e, setList } = this;
    for (let j = this.setStart[addr], end = this.setStart[addr + 1]; j < end; j++) {
      const set = setList[j];
      if (s < e ? set >= s && set < e : set >= s || set < e) return true;
    }
    return false;
  }

  /** prefetch_active_buffer: the active half filled before the first request */
  private fillActive(startCycle: number): void {
    const n = Math.min(Math.ceil(this.activeSize / this.bw), this.fetchRows);
    this.words += n * this.bw; // SCALE-Sim counts whole lines requested
    // requests at cycles startCycle - n - latency + i, answered `latency` later
    this.start = startCycle - n;
    this.stop = startCycle - 1;
    this.lastPrefetchCycle = startCycle - 1;
    this.activeStart = 0;
    this.activeEnd = this.numActiveSets;
    this.full = true;
  }

  /** new_prefetch: rotate the halves and fetch the next prefetch half */
  private newPrefetch(): void {
    const start = (this.activeStart + this.numPrefetchSets) % this.numSets;
    this.activeStart = start;
    this.activeEnd = (start + this.numActiveSets) % this.numSets;
    const n = Math.ceil(this.prefetchSize / this.bw);
    this.words += n * this.bw;
    // requests at last + 1 .. last + n, answered a cycle later
    this.lastPrefetchCycle = this.lastPrefetchCycle + n + READ_PORT_LATENCY;
    this.stop = this.lastPrefetchCycle;
  }

  serve(cycle: number, addrs: Int32Array, count: number): number {
    if (!this.full) this.fillActive(cycle);
    let offset = HIT_LATENCY;
    for (let i = 0; i < count; i++) {
      const addr = addrs[i];
      while (!this.hit(addr)) {
        this.newPrefetch();
        // read_buffer.py adds the difference even when negative (the prefetch had landed)
        offset += this.lastPrefetchCycle - (cycle + offset);
      }
    }
    return cycle + offset;
  }

  finish(): void {}

  dram(): DramActivity {
    return { words: this.words, start: this.start, stop: this.stop };
  }
}

/**
 * write_buffer.py: outputs go into lines of `bandwidth` words; while its active half has room
 * they stay, and when it fills the drain half's lines go to DRAM, one line per cycle, the array
 * waiting if it writes while the buffer is full and a drain is still under way.
 */
export class WriteBuffer {
  private readonly bw: number;
  private readonly total: number;
  private readonly drainSize: number;
  private free: number;
  /** valid words of every line handed to the trace (drain order) */
  private readonly traceLines: number[] = [];
  private cacheLines: number[] = [];
  private lineFill = 0;
  private drainStartLine = 0;
  private drainEnd = 0;
  private words = 0;
  private start = 0;
  private stop = 0;
  private drained = false;

  constructor(totalBytes: number, bandwidth: number, activeFrac = 0.5) {
    this.total = Math.floor(totalBytes);
    this.drainSize = this.total - Math.ceil(this.total * activeFrac);
    this.bw = bandwidth;
    this.free = this.total;
  }

  private static readonly MAX_CACHE_LINES = 2 ** 10;

  private store(): void {
    this.lineFill++;
    this.free--;
    if (this.lineFill < this.bw) return;
    this.cacheLines.push(this.bw);
    this.lineFill = 0;
    if (this.cacheLines.length >= WriteBuffer.MAX_CACHE_LINES) this.appendToTrace(false);
  }

  private appendToTrace(force: boolean): void {
    if (force && this.lineFill !== 0) {
      this.cacheLines.push(this.lineFill);
      this.lineFill = 0;
    }
    if (this.cacheLines.length === 0) return;
    for (const l of this.cacheLines) this.traceLines.push(l);
    this.cacheLines = [];
  }

  /** empty_drain_buf: the next lines of the drain half to DRAM from `startCycle`; returns the last cycle */
  private drain(startCycle: number): number {
    const lines = Math.ceil(this.drainSize / this.bw);
    const end = Math.min(this.drainStartLine + lines, this.traceLines.length);
    const n = end - this.drainStartLine;
    // SCALE-Sim subtracts the empty slots of the last line only
    const data = n * this.bw - (n > 0 ? this.bw - this.traceLines[end - 1] : 0);
    this.words += data;
    const first = startCycle + WRITE_PORT_LATENCY;
    const last = startCycle + n - 1 + WRITE_PORT_LATENCY;
    // the report takes the trace's first and last rows: the first and the latest drain
    if (n > 0) {
      if (!this.drained) this.start = first;
      this.stop = last;
      this.drained = true;
    }
    this.free += data;
    this.drainStartLine = end;
    return last;
  }

  /** serves one demand row of `count` writes arriving at `cycle`; returns the cycle it is done */
  serve(cycle: number, count: number): number {
    let current = cycle;
    for (let i = 0; i < count; i++) {
      this.store();
      if (current < this.drainEnd) {
        // a drain is under way and the buffer is full: wait for the drain
        if (!(this.free > 0)) current = this.drainEnd;
      } else if (this.free < this.total - this.drainSize) {
        // the active half is full: start draining (the array does not wait for it)
        this.appendToTrace(true);
        this.drainEnd = this.drain(current);
      }
    }
    return current;
  }

  /** empty_all_buffers: everything left, drained from `cycle` on */
  finish(cycle: number): void {
    this.appendToTrace(true);
    if (this.traceLines.length === 0) return;
    let c = cycle;
    while (this.drainStartLine < this.traceLines.length) {
      this.drainEnd = this.drain(c);
      c = this.drainEnd + 1;
    }
  }

  dram(): DramActivity {
    return this.drained ? { words: this.words, start: this.start, stop: this.stop } : { words: 0, start: 0, stop: 0 };
  }
}
