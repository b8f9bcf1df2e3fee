/** Timing helper shared by the benchmark scripts: runs a function and prints min / median / max. */
export interface Row {
  name: string;
  runs: number;
  min: number;
  median: number;
  max: number;
}

export async function time(name: string, runs: number, fn: () => unknown): Promise<Row> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  const row = {
    name,
    runs,
    min: t[0] ?? NaN,
    median: t[Math.floor(t.length / 2)] ?? NaN,
    max: t[t.length - 1] ?? NaN,
  };
  console.log(
    `| ${row.name.padEnd(48)} | ${String(runs).padStart(4)} | ${fmt(row.min)} | ${fmt(row.median)} | ${fmt(row.max)} |`,
  );
  return row;
}

export function header(title: string): void {
  console.log(`\n${title}\n`);
  console.log(`| ${'operation'.padEnd(48)} | runs | min (ms) | median (ms) | max (ms) |`);
  console.log(`| ${'-'.repeat(48)} | ---: | -------: | ----------: | -------: |`);
}

function fmt(ms: number): string {
  return (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)).padStart(8);
}
