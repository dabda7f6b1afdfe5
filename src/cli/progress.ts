/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and the output is
 * not --json: pipes, files and scripts never see it.
 */
export interface Progress {
  update(done: number, extra?: string): void;
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

/** `format` writes the counts (e.g. formatBytes for a byte count; default: the number). */
export function progressBar(label: string, total: number, enabled: boolean, format: (n: number) => string = String): Progress {
  const stream = process.stderr;
  if (!enabled || !stream.isTTY || total < 2) return SILENT;
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, extra = "") {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
      const filled = Math.round((done / total) * width);
      const secs = ((now - start) / 1000).toFixed(1);
      stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${format(done)}/${format(total)} ${extra} ${secs}s\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/** "1.2 GB", "340 MB", "12 kB" (decimal units, like `ls -h --si`). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let u = 0;
  let v = n;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}
