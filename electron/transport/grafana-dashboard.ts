/**
 * The Grafana dashboard shipped in resources/grafana/deeplocal.json, read for its tests: which metric names its
 * queries use (each must be one /metrics writes, or the panel stays empty without a word).
 */
import fs from 'node:fs';
import path from 'node:path';

export const DASHBOARD_FILE = path.resolve(__dirname, '..', '..', 'resources', 'grafana', 'deeplocal.json');

interface Target {
  expr?: string;
}
interface Panel {
  id: number;
  type: string;
  targets?: Target[];
  datasource?: { uid?: string };
  gridPos: { x: number; w: number };
}
export interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query?: string } }[] };
}

export const readDashboard = (file = DASHBOARD_FILE): Dashboard =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as Dashboard;

/** Every PromQL text in the dashboard: panel targets and template variable queries. */
export function queriesOf(d: Dashboard): string[] {
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const vars = d.templating.list.map((v) => (typeof v.query === 'string' ? '' : (v.query?.query ?? '')));
  return [...exprs, ...vars].filter(Boolean);
}

/** The `deeplocal_*` metric names the queries use, sorted. */
export function metricNamesOf(d: Dashboard): string[] {
  return [...new Set(queriesOf(d).flatMap((q) => q.match(/\bdeeplocal_[a-z0-9_]+\b/g) ?? []))].sort();
}

/** The metric families a /metrics text declares (its `# TYPE` lines). */
export const familiesOf = (metricsText: string): Set<string> =>
  new Set([...metricsText.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
