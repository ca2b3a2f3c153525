import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The process's own metrics under their usual Prometheus names (CPU, memory, start time, event
 * loop utilization), all read at scrape time. prom-client's `collectDefaultMetrics` is not used:
 * its GC observer and event-loop-delay sampler run between scrapes, and cost a hot pipeline about
 * a tenth of its CPU in `bench/inspect.ts`-style runs.
 *
 * @example
 * const registry = new Registry();
 * registerProcessMetrics(registry);
 */
export function registerProcessMetrics(registry: Registry): void {
  const registers = [registry];
  const cpu = (name: string, help: string, read: (u: NodeJS.CpuUsage) => number): void => {
    const metric: Counter = new Counter({
      name,
      help,
      registers,
      collect: () => {
        metric.reset();
        metric.inc(read(process.cpuUsage()) / 1e6);
      },
    });
  };
  cpu('process_cpu_user_seconds_total', 'User CPU time spent, in seconds.', (u) => u.user);
  cpu('process_cpu_system_seconds_total', 'System CPU time spent, in seconds.', (u) => u.system);
  cpu('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', (u) => u.user + u.system);
  const gauge = (name: string, help: string, read: () => number): void => {
    const metric: Gauge = new Gauge({ name, help, registers, collect: () => metric.set(read()) });
  };
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => process.memoryUsage().heapTotal);
  gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => process.memoryUsage().heapUsed);
  gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => process.memoryUsage().external);
  const started = Math.round((Date.now() - performance.now()) / 1000);
  gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', () => started);
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  gauge('nodejs_eventloop_utilization', 'Fraction of time the event loop was busy since the previous scrape (0 to 1).', () => {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, last);
    last = now;
    return since.utilization;
  });
}
