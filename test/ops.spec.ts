import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The monitoring files in ops/ against the code: every metric a dashboard panel or an alert reads
 * exists in apps/ or libs/, every alert is written for operators and unit-tested both ways, and
 * Grafana and Prometheus are wired as docker-compose mounts them. promtool checks the PromQL itself
 * (scripts/check-alerts.sh); this keeps the files from silently rotting when a metric is renamed.
 */
const ROOT = resolve(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Metric names the services expose, read from their prom-client declarations. */
function exposedMetrics(): Set<string> {
  const names = new Set<string>(['up']); // Prometheus adds `up` to every target it scrapes.
  for (const file of [...sources('apps'), ...sources('libs')]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [, name] of text.matchAll(/['"](pbx2fa_[a-z0-9_]+)['"]/g)) names.add(name);
    for (const [, name] of text.matchAll(/new Histogram\(\{\s*name:\s*['"](pbx2fa_[a-z0-9_]+)['"]/g)) {
      for (const suffix of ['_bucket', '_count', '_sum']) names.add(name + suffix);
    }
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers followed by a selector, a range or the end of a call. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(pbx2fa_[a-z0-9_]+|up)\b(?=\s*[{[)\s])/g)].map(([, name]) => name);
}

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('the Grafana dashboard (ops/grafana/pbx2fa.json)', () => {
  const dashboard = JSON.parse(read('ops/grafana/pbx2fa.json'));
  const panels: Panel[] = dashboard.panels.filter((panel: Panel) => panel.type !== 'row');
  const metrics = exposedMetrics();

  it('is a dashboard with a stable uid reading the data source chosen in its variable', () => {
    expect(dashboard).toMatchObject({ uid: 'pbx2fa', title: 'pbx2fa', schemaVersion: expect.any(Number) });
    const variable = dashboard.templating.list.find((item: { name: string }) => item.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: 'prometheus' } });
  });

  it('gives every panel a unique id, a title, a description and a place on the 24-column grid', () => {
    const ids = dashboard.panels.map((panel: Panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect({ title: panel.title, described: Boolean(panel.description) }).toEqual({
        title: expect.stringMatching(/\S/),
        described: true,
      });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it.each([
    'Sign-ins by outcome',
    'Second-factor verification latency',
    'Approval to enforcement',
    'Event queue depth',
    'Outbox backlog',
    'Dead letters',
    'Server errors (5xx)',
  ])('has the panel "%s"', (title) => expect(panels.map((panel) => panel.title)).toContain(title));

  it('queries the variable data source in every panel and target', () => {
    for (const panel of panels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? '${datasource}').toBe('${datasource}');
    }
  });

  it('reads only metrics the services expose', () => {
    const unknown = panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => {
        const names = metricsIn(target.expr);
        expect({ panel: panel.title, expr: target.expr, metrics: names.length > 0 }).toEqual({
          panel: panel.title,
          expr: target.expr,
          metrics: true,
        });
        return names.filter((name) => !metrics.has(name)).map((name) => `${panel.title}: ${name}`);
      }),
    );
    expect(unknown).toEqual([]);
  });

  it('times second-factor verification on the route the gateway really serves', () => {
    const latency = panels.find((panel) => panel.title === 'Second-factor verification latency')!;
    const routes = new Set(latency.targets!.map((target) => /route="([^"]+)"/.exec(target.expr)?.[1]));
    expect([...routes]).toEqual(['/auth/login/verify']);
    const controller = sources('apps/auth')
      .map((file) => read(file))
      .find((text) => text.includes("@Controller('auth/login')"));
    expect(controller).toContain("@Post('verify')");
  });
});

describe('Grafana provisioning (ops/grafana/provisioning)', () => {
  it('provides the data source under the uid the dashboard defaults to, pointing at the compose Prometheus', () => {
    const { datasources } = parse(read('ops/grafana/provisioning/datasources/prometheus.yml'));
    expect(datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('loads dashboards from where docker-compose mounts pbx2fa.json', () => {
    const { providers } = parse(read('ops/grafana/provisioning/dashboards/pbx2fa.yml'));
    const compose = parse(read('docker-compose.yml'));
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`./ops/grafana/pbx2fa.json:${providers[0].options.path}/pbx2fa.json:ro`);
    expect(mounts).toContain('./ops/grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});

describe('the Prometheus configuration and alerts (ops/prometheus)', () => {
  const config = parse(read('ops/prometheus/prometheus.yml'));
  const rules: Rule[] = parse(read('ops/prometheus/alerts.yml')).groups.flatMap(
    (group: { rules: Rule[] }) => group.rules,
  );
  const tests = parse(read('ops/prometheus/alerts.test.yml'));
  const metrics = exposedMetrics();

  it("scrapes each service's management port under a `service` label, and loads the alerts", () => {
    expect(config.rule_files).toEqual(['alerts.yml']);
    const [job] = config.scrape_configs;
    expect(job).toMatchObject({ job_name: 'pbx2fa', metrics_path: '/metrics' });
    expect(job.static_configs).toEqual([
      { targets: ['auth:9000'], labels: { service: 'auth' } },
      { targets: ['tickets:9001'], labels: { service: 'tickets' } },
      { targets: ['reseller-settings:9002'], labels: { service: 'reseller-settings' } },
    ]);
  });

  it('mounts that folder into the compose Prometheus', () => {
    const compose = parse(read('docker-compose.yml'));
    expect(compose.services.prometheus.volumes).toContain('./ops/prometheus:/etc/prometheus:ro');
    expect(compose.services.prometheus.profiles).toEqual(['observability']);
    expect(compose.services.grafana.profiles).toEqual(['observability']);
  });

  it.each(rules.map((rule) => [`${rule.alert} (${rule.labels?.severity})`, rule] as const))(
    '%s waits, has a severity and tells the operator what to do',
    (_name, rule) => {
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toMatch(/\S/);
      expect(rule.annotations?.description).toContain('README.md#alerts');
      expect({ alert: rule.alert, inReadme: read('README.md').includes(`**${rule.alert}**`) }).toEqual({
        alert: rule.alert,
        inReadme: true,
      });
    },
  );

  it('reads only metrics the services expose', () => {
    const unknown = rules.flatMap((rule) =>
      metricsIn(rule.expr)
        .filter((name) => !metrics.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it.each([...new Set(rules.map((rule) => rule.alert))])('%s is unit-tested firing and staying quiet', (alert) => {
    const cases = tests.tests.flatMap(
      (test: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }) => test.alert_rule_test ?? [],
    );
    const mine = cases.filter((item: { alertname: string }) => item.alertname === alert);
    expect(mine.some((item: { exp_alerts?: unknown[] }) => (item.exp_alerts ?? []).length > 0)).toBe(true);
    expect(mine.some((item: { exp_alerts?: unknown[] }) => (item.exp_alerts ?? []).length === 0)).toBe(true);
  });
});
