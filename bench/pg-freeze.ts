import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The postmaster of a data directory and every process it started (backends, checkpointer, walwriter...). */
export async function postgresProcesses(dataDir: string): Promise<number[]> {
  const postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster) children.push(Number(entry));
  }
  return [postmaster, ...children];
}

/**
 * SIGSTOPs the whole server (the postmaster first, so it starts no new backend). The /proc scan is
 * done before the signals (it can take hundreds of ms on a loaded machine), so `frozenAt` (Date.now()
 * after the signals) is the moment the server stopped; a second scan catches a backend forked meanwhile.
 */
export async function freezePostgres(dataDir: string): Promise<{ frozenAt: number; resume: () => Promise<void> }> {
  const stopped: number[] = [];
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  const stopAll = (pids: number[]) => {
    for (const pid of pids) if (!stopped.includes(pid) && signal(pid, 'SIGSTOP')) stopped.push(pid);
  };
  stopAll(await postgresProcesses(dataDir));
  const frozenAt = Date.now();
  stopAll(await postgresProcesses(dataDir));
  let resumed = false;
  return {
    frozenAt,
    resume: async () => {
      if (resumed) return;
      resumed = true;
      for (const pid of stopped) signal(pid, 'SIGCONT');
    },
  };
}
