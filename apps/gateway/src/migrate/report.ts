/** The migration report: what happened to every key of every older configuration file. */

/** What became of one key. */
export type ReportStatus = 'mapped' | 'moved' | 'secret' | 'unmapped' | 'dropped' | 'unset' | 'copied' | 'todo';

/** One line of the report. */
export interface ReportEntry {
  /** JSON path in the older file (`scimgateway.auth.basic[0].password`), or a file name. */
  path: string;
  status: ReportStatus;
  /** Where it went, or what to do instead. */
  note?: string;
}

/** The report of one older configuration file. */
export interface FileReport {
  source: string;
  /** The file written (or that a dry run would write). */
  target: string;
  connector: string;
  entries: ReportEntry[];
}

const LABEL: Record<ReportStatus, string> = {
  mapped: 'mapped  ',
  moved: 'moved   ',
  secret: 'secret  ',
  copied: 'copied  ',
  unmapped: 'UNMAPPED',
  dropped: 'DROPPED ',
  unset: 'unset   ',
  todo: 'TO DO   ',
};

/** The report as text, one line per key; problems first so nobody misses them. */
export function formatReport(files: readonly FileReport[], dryRun: boolean): string {
  const lines: string[] = [];
  const order: ReportStatus[] = ['todo', 'unmapped', 'dropped', 'secret', 'moved', 'copied', 'mapped', 'unset'];
  for (const f of files) {
    lines.push(`${f.source} → ${f.target}${dryRun ? ' (dry run: not written)' : ''}`);
    lines.push(`  connector: ${f.connector}`);
    const sorted = [...f.entries].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
    for (const e of sorted) lines.push(`  ${LABEL[e.status]} ${e.path}${e.note ? `: ${e.note}` : ''}`);
    const count = (s: ReportStatus) => f.entries.filter((e) => e.status === s).length;
    lines.push(
      `  ${count('mapped') + count('moved') + count('secret')} keys mapped (${count('secret')} secrets re-encrypted), ${count('unmapped') + count('dropped')} without an equivalent, ${count('unset')} unset (null or empty) left out, ${count('todo')} to do`,
    );
    lines.push('');
  }
  return lines.join('\n');
}
