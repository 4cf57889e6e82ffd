/** The machine facts every report states next to its figures. */
import os from 'node:os';
import { getBackend } from 'tensile';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly backend: string;
  readonly backendDetails: Record<string, number>;
  readonly date: string;
}

export function machineInfo(): MachineInfo {
  const backend = getBackend();
  const { buffers: _buffers, bytes: _bytes, ...details } = backend.memory();
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    backend: backend.name,
    backendDetails: details,
    date: new Date().toISOString(),
  };
}

export function describeMachine(m: MachineInfo): string {
  const details = Object.entries(m.backendDetails)
    .filter(([k]) => ['threads', 'relaxedSimd'].includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; backend ${m.backend}${details ? ` (${details})` : ''}; ${m.date}`;
}

/** The command line that produced a report, for its reproduction line. */
export function commandLine(): string {
  return ['tensile', ...process.argv.slice(2)].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
