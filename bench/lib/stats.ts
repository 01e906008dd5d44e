// Latency samples -> the figures the report prints.

export interface Measurement {
  /** Requests (or launches) per second over the measured window. */
  rps: number;
  count: number;
  errors: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  durationS: number;
  /** A few distinct error messages, with how often each happened. */
  errorSamples: { message: string; count: number }[];
  /** CPU the benchmark runner itself used (load generator and simulator), % of one core. */
  clientCpuPercent: number;
  /** How many answers had each HTTP status, when a scenario accepts more than one. */
  statuses: Record<string, number>;
}

/** Collects latencies (ms) and errors of one measured window. */
export class Recorder {
  #latencies = new Float64Array(4096);
  #count = 0;
  errors = 0;
  readonly #messages = new Map<string, number>();
  readonly #statuses: Record<string, number> = {};

  record(ms: number, status?: number): void {
    if (status !== undefined) this.#statuses[status] = (this.#statuses[status] ?? 0) + 1;
    if (this.#count === this.#latencies.length) {
      const bigger = new Float64Array(this.#latencies.length * 2);
      bigger.set(this.#latencies);
      this.#latencies = bigger;
    }
    this.#latencies[this.#count++] = ms;
  }

  fail(message: string): void {
    this.errors++;
    // Ids and tokens differ per request: fold them so the same failure counts once.
    const key = message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<uuid>').replace(/\d+/g, 'N').slice(0, 300);
    if (this.#messages.has(key) || this.#messages.size < 10) this.#messages.set(key, (this.#messages.get(key) ?? 0) + 1);
  }

  /** Takes over another recorder's errors (the warm-up's), not its latencies. */
  absorbErrors(other: Recorder): void {
    this.errors += other.errors;
    for (const [message, count] of other.#messages) {
      if (this.#messages.has(message) || this.#messages.size < 10) this.#messages.set(message, (this.#messages.get(message) ?? 0) + count);
    }
  }

  summarize(durationS: number, clientCpuPercent: number): Measurement {
    const sorted = this.#latencies.slice(0, this.#count).sort();
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
    return {
      rps: durationS > 0 ? this.#count / durationS : 0,
      count: this.#count,
      errors: this.errors,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: sorted.length ? (sorted[sorted.length - 1] ?? 0) : 0,
      durationS,
      errorSamples: [...this.#messages].map(([message, count]) => ({ message, count })),
      clientCpuPercent,
      statuses: { ...this.#statuses },
    };
  }
}

/** Measures the runner's own CPU over a window, as % of one core. */
export function cpuMeter(): () => number {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const used = process.cpuUsage(start);
    const elapsedMs = performance.now() - t0;
    return elapsedMs > 0 ? ((used.user + used.system) / 1000 / elapsedMs) * 100 : 0;
  };
}
