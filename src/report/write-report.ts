import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from './analysis.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';

/** Paths of the files {@link writeReport} wrote. */
export interface ReportFiles {
  csv: string;
  json: string;
  html: string;
}

/**
 * Writes `report.csv`, `report.json` (the {@link Report} as is) and a self-contained
 * `report.html` into `dir`, creating it.
 *
 * @example
 * const files = await writeReport(report, '.millrace/report');
 */
export async function writeReport(report: Report, dir: string): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files = { csv: join(dir, 'report.csv'), json: join(dir, 'report.json'), html: join(dir, 'report.html') };
  await Promise.all([
    writeFile(files.csv, renderCsv(report)),
    writeFile(files.json, JSON.stringify(report, null, 2) + '\n'),
    writeFile(files.html, renderHtml(report)),
  ]);
  return files;
}
