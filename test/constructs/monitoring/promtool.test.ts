/**
 * RootlessAlertRules evaluated by Prometheus itself: `promtool check rules` on the plain rules file
 * (`toPrometheusRulesYaml()`, for Prometheus without the operator) and on the synthesized
 * PrometheusRule's spec, and `promtool test rules` unit tests (on the plain rules file) that feed the
 * metric shapes the API server and kube-state-metrics really export (labels, lazily created counter series, target labels added by
 * the scrape) and check which alerts fire, with which labels and rendered annotations.
 *
 * promtool comes with Debian's `prometheus` package (`.ci/run` and the build workflow install it).
 * In CI (`CI` set) a missing promtool fails this suite; elsewhere it is skipped with a warning.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { RootlessAlertRules, RootlessAlertRulesProps } from '../../../lib/constructs/monitoring';
import { tempDir } from '../../temp-dir';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const probe = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
const available = probe.status === 0;
const inCI = !!process.env.CI;

const LEVEL = 'annotation_rootless_cdk8s_io_pss_level';

/** Target labels a kube-prometheus-stack scrape adds to the API server's metrics. */
const APISERVER = { endpoint: 'https', job: 'apiserver', namespace: 'default', service: 'kubernetes' };
/** Target labels of kube-state-metrics' own series (its ServiceMonitor honours the metric's namespace/pod labels). */
const KSM = { container: 'kube-state-metrics', endpoint: 'http', instance: '10.244.1.7:8080', job: 'kube-state-metrics', service: 'kube-state-metrics' };

interface Series { readonly series: string; readonly values: string }
interface ExpectedAlert { readonly labels: Record<string, string>; readonly value?: number }
interface Check { readonly at: string; readonly alert: string; readonly fires: ExpectedAlert[] }
interface Case { readonly name: string; readonly series: Series[]; readonly checks: Check[] }

/** A series in promtool's notation: `metric{a="b",...}` (empty label values are left out, as Prometheus drops them). */
function series(metric: string, labels: Record<string, string>, values: string): Series {
  const body = Object.entries(labels).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  return { series: `${metric}{${body}}`, values };
}

/** `pod_security_evaluations_total` exactly as the API server's Pod Security admission labels it. */
interface Evaluation {
  readonly decision: string;
  readonly mode: string;
  readonly level: string;
  readonly version: string;
  readonly resource: string;
  readonly op?: string;
  readonly subresource?: string;
}
function evaluations(instance: string, l: Evaluation, values: string): Series {
  return series('pod_security_evaluations_total', {
    ...APISERVER,
    instance,
    decision: l.decision,
    mode: l.mode,
    policy_level: l.level,
    policy_version: l.version,
    request_operation: l.op ?? 'create',
    resource: l.resource,
    subresource: l.subresource ?? '',
  }, values);
}
/** The series every API server has from its start (the privileged allow counters are pre-created at 0). */
const apiserverBaseline = (instance: string, values = '0+3x90'): Series[] => [
  series('up', { ...APISERVER, instance }, '1x90'),
  evaluations(instance, { decision: 'allow', mode: 'enforce', level: 'privileged', version: 'latest', resource: 'pod' }, values),
  evaluations(instance, { decision: 'allow', mode: 'enforce', level: 'privileged', version: 'latest', resource: 'pod', op: 'update' }, '0x90'),
  evaluations(instance, { decision: 'allow', mode: 'enforce', level: 'restricted', version: 'v1.30', resource: 'pod' }, '0+2x90'),
];

/** kube-state-metrics series of one pod: `kube_pod_annotations` (allowlist set) and `kube_pod_status_phase`. */
function pod(namespace: string, name: string, uid: string, pssLevel: string | undefined, phase: string, values = '1x90'): Series[] {
  const id = { ...KSM, namespace, pod: name, uid };
  return [
    series('kube_pod_annotations', { ...id, ...(pssLevel !== undefined ? { [LEVEL]: pssLevel } : {}) }, values),
    ...['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].map(p => series('kube_pod_status_phase', { ...id, phase: p }, p === phase ? values : values.replace(/^1/, '0'))),
  ];
}

/** The synthesized PrometheusRule and the plain rules file of the same construct. */
function synth(props: RootlessAlertRulesProps): { doc: any; plain: string } {
  const chart = Testing.chart();
  const alerts = new RootlessAlertRules(chart, 'alerts', props);
  const [doc] = Testing.synth(chart);
  return { doc, plain: alerts.toPrometheusRulesYaml() };
}

/** The rendered annotations of an alert: the only template forms the rules use are `$labels.x` and the rounded `$value`. */
function render(text: string, labels: Record<string, string>, value: number | undefined): string {
  const out = text
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? '')
    .replace(/\{\{ printf "%\.0f" \$value \}\}/g, () => {
      if (value === undefined) throw new Error(`the annotation ${JSON.stringify(text)} shows $value: give the expected value`);
      return value.toFixed(0);
    });
  if (out.includes('{{')) throw new Error(`unexpected template in ${JSON.stringify(text)}`);
  return out;
}

class Promtool {
  public readonly dir = tempDir('rootless-promtool-');
  public readonly rules: any[];
  /** The plain rules file, as `toPrometheusRulesYaml()` writes it: every `promtool test rules` case runs on it. */
  public readonly rulesFile = path.join(this.dir, 'rules.yaml');
  /** The PrometheusRule's `spec` (what the Prometheus Operator hands to Prometheus). */
  public readonly operatorRulesFile = path.join(this.dir, 'operator-rules.yaml');

  public constructor(props: RootlessAlertRulesProps) {
    const { doc, plain } = synth(props);
    this.rules = doc.spec.groups.flatMap((g: any) => g.rules);
    fs.writeFileSync(this.rulesFile, plain);
    fs.writeFileSync(this.operatorRulesFile, stringify(doc.spec));
  }

  public run(args: string[]) {
    const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: this.dir, timeout: 60_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  /** Runs `promtool test rules` on the cases; returns promtool's exit status and output. */
  public test(cases: Case[], file = 'tests.yaml') {
    const byName = new Map(this.rules.map(r => [r.alert, r]));
    const tests = cases.map(c => ({
      name: c.name,
      interval: '1m',
      input_series: c.series,
      alert_rule_test: c.checks.map(ch => {
        const rule = byName.get(ch.alert);
        if (!rule) throw new Error(`no rule ${ch.alert}`);
        return {
          eval_time: ch.at,
          alertname: ch.alert,
          exp_alerts: ch.fires.map(f => {
            const labels = { ...rule.labels, ...f.labels };
            return {
              exp_labels: labels,
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations as Record<string, string>).map(([k, v]) => [k, render(v, labels, f.value)])),
            };
          }),
        };
      }),
    }));
    fs.writeFileSync(path.join(this.dir, file), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    return this.run(['test', 'rules', file]);
  }
}

const psaLabels = (level: string, version: string, resource: string, op = 'create') =>
  ({ policy_level: level, policy_version: version, resource, request_operation: op });

function suite() {
  // Every alert, PodWithoutPssLevel included, with the default window (10m) and durations.
  const tool = new Promtool({ unlabelledPods: { enabled: true } });
  const expectPass = (cases: Case[]) => {
    const r = tool.test(cases);
    if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.output}`);
    expect(r.output).toContain('SUCCESS');
  };

  test('promtool check rules accepts the plain rules file (toPrometheusRulesYaml) and the PrometheusRule\'s spec', () => {
    for (const file of [tool.rulesFile, tool.operatorRulesFile]) {
      const r = tool.run(['check', 'rules', file]);
      expect([file, r.output]).toEqual([file, expect.stringContaining(`SUCCESS: ${tool.rules.length} rules found`)]);
      expect(r.status).toBe(0);
    }
    expect(tool.rules.map(x => x.alert)).toEqual([
      'PodSecurityEnforceDenied', 'PodSecurityWarnViolations', 'PodSecurityAuditViolations',
      'PodBelowRestricted', 'PodWithoutPssLevel', 'RootlessMonitoringSignalMissing',
    ]);
  });

  test('the harness fails on a wrong expectation and on a broken rule (it is not a no-op)', () => {
    const wrong = tool.test([{
      name: 'healthy cluster, but an alert expected',
      series: apiserverBaseline('172.18.0.2:6443'),
      checks: [{ at: '30m', alert: 'PodSecurityEnforceDenied', fires: [{ labels: psaLabels('restricted', 'v1.30', 'pod'), value: 1 }] }],
    }], 'wrong.yaml');
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toContain('FAILED');
    fs.writeFileSync(path.join(tool.dir, 'broken.yaml'), stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'sum by (x (y' }] }] }));
    const broken = tool.run(['check', 'rules', 'broken.yaml']);
    expect(broken.status).not.toBe(0);
  });

  describe('PodSecurityEnforceDenied (pod_security_evaluations_total, mode="enforce")', () => {
    const a = '172.18.0.2:6443';
    const b = '172.18.0.3:6443';
    const deny = { decision: 'deny', mode: 'enforce', level: 'restricted', version: 'v1.30', resource: 'pod' };
    /** The enforce alert at `at`: silent, or firing for restricted pods at `version` with `value` rejections. */
    const enforce = (at: string, version?: string, value?: number): Check =>
      ({ at, alert: 'PodSecurityEnforceDenied', fires: version ? [{ labels: psaLabels('restricted', version, 'pod'), value }] : [] });

    test('fires on new denials, summed over the API server instances, and resolves one window later', () => {
      expectPass([{
        name: 'denials on two API servers',
        series: [
          ...apiserverBaseline(a), ...apiserverBaseline(b),
          // earlier denials (from before Prometheus started), then one more on each API server at minute 30
          evaluations(a, deny, '4x29 5x60'),
          evaluations(b, deny, '1x29 2x60'),
        ],
        // at 5m, in Prometheus' first window, the old denials are not reported as new
        checks: [enforce('5m'), enforce('20m'), enforce('31m', 'v1.30', 2), enforce('38m', 'v1.30', 2), enforce('41m')],
      }]);
    });

    test('fires on the first denial since the API server started (the counter series appears at 1)', () => {
      expectPass([{
        name: 'first denial',
        series: [...apiserverBaseline(a), evaluations(a, { ...deny, version: 'latest' }, '_x30 1x59')],
        checks: [enforce('29m'), enforce('30m', 'latest', 1), enforce('39m', 'latest', 1), enforce('45m')],
      }]);
    });

    test('stays silent on a healthy API server: allows only, old denials, other modes', () => {
      expectPass([{
        name: 'healthy',
        series: [
          ...apiserverBaseline(a),
          evaluations(a, deny, '3x90'),
          evaluations(a, { ...deny, mode: 'warn', resource: 'controller' }, '0+1x90'),
          evaluations(a, { ...deny, mode: 'audit' }, '0+1x90'),
        ],
        checks: ['1m', '9m', '11m', '30m', '89m'].map(at => enforce(at)),
      }]);
    });
  });

  describe('PodSecurityWarnViolations and PodSecurityAuditViolations (mode="warn", mode="audit")', () => {
    const a = '172.18.0.2:6443';
    test('a Deployment applied once with warnings fires the warn alert for one window; audit violations fire the audit alert', () => {
      expectPass([{
        name: 'warn and audit',
        series: [
          ...apiserverBaseline(a),
          // a Deployment (resource "controller") created at minute 20 against warn=restricted: one warning
          evaluations(a, { decision: 'deny', mode: 'warn', level: 'restricted', version: 'latest', resource: 'controller' }, '_x20 1x69'),
          // its pods, created by the ReplicaSet, break the audit level (restricted, v1.29): three so far, one more at minute 50
          evaluations(a, { decision: 'deny', mode: 'audit', level: 'restricted', version: 'v1.29', resource: 'pod' }, '3x49 4x40'),
          evaluations(a, { decision: 'allow', mode: 'enforce', level: 'baseline', version: 'v1.29', resource: 'pod' }, '0+1x90'),
        ],
        checks: [
          { at: '19m', alert: 'PodSecurityWarnViolations', fires: [] },
          { at: '21m', alert: 'PodSecurityWarnViolations', fires: [{ labels: psaLabels('restricted', 'latest', 'controller') }] },
          { at: '35m', alert: 'PodSecurityWarnViolations', fires: [] },
          { at: '21m', alert: 'PodSecurityAuditViolations', fires: [] },
          { at: '52m', alert: 'PodSecurityAuditViolations', fires: [{ labels: psaLabels('restricted', 'v1.29', 'pod') }] },
          { at: '70m', alert: 'PodSecurityAuditViolations', fires: [] },
          { at: '52m', alert: 'PodSecurityEnforceDenied', fires: [] },
        ],
      }]);
    });
  });

  describe('PodBelowRestricted and PodWithoutPssLevel (kube-state-metrics)', () => {
    const restrictedPod = pod('payments', 'api-7d9c5-x2k4f', 'u-2', 'restricted', 'Running');
    const finishedPrivilegedJob = pod('batch', 'migrate-29xk1', 'u-3', 'privileged', 'Succeeded');
    test('fire for running pods below restricted / without the annotation, after their `for`', () => {
      expectPass([{
        name: 'pods',
        series: [
          ...pod('payments', 'ledger-0', 'u-1', 'baseline', 'Running'),
          ...restrictedPod,
          ...finishedPrivilegedJob,
          ...pod('kube-system', 'coredns-5d78c9869d-qv7fb', 'u-4', undefined, 'Running'),
        ],
        checks: [
          { at: '10m', alert: 'PodBelowRestricted', fires: [] },
          { at: '16m', alert: 'PodBelowRestricted', fires: [{ labels: { namespace: 'payments', pod: 'ledger-0', [LEVEL]: 'baseline' } }] },
          { at: '50m', alert: 'PodWithoutPssLevel', fires: [] },
          { at: '61m', alert: 'PodWithoutPssLevel', fires: [{ labels: { namespace: 'kube-system', pod: 'coredns-5d78c9869d-qv7fb' } }] },
        ],
      }]);
    });

    test('stay silent when every running pod is restricted (a finished privileged job, a deleted pod)', () => {
      expectPass([{
        name: 'healthy pods',
        series: [
          ...restrictedPod,
          ...finishedPrivilegedJob,
          // a baseline pod deleted at minute 10: its series end
          ...pod('payments', 'ledger-0', 'u-1', 'baseline', 'Running', '1x10'),
        ],
        checks: ['16m', '40m', '89m'].flatMap(at => [
          { at, alert: 'PodBelowRestricted', fires: [] },
          { at, alert: 'PodWithoutPssLevel', fires: [] },
        ]),
      }]);
    });
  });

  describe('RootlessMonitoringSignalMissing', () => {
    const healthyPods = pod('payments', 'api-7d9c5-x2k4f', 'u-2', 'restricted', 'Running');
    test('silent when both signals are there', () => {
      expectPass([{
        name: 'both signals',
        series: [...apiserverBaseline('172.18.0.2:6443'), ...healthyPods],
        checks: [{ at: '89m', alert: 'RootlessMonitoringSignalMissing', fires: [] }],
      }]);
    });
    test('fires, naming the signal, when the API server is not scraped', () => {
      expectPass([{
        name: 'no API server metrics',
        series: healthyPods,
        checks: [
          { at: '59m', alert: 'RootlessMonitoringSignalMissing', fires: [] },
          { at: '61m', alert: 'RootlessMonitoringSignalMissing', fires: [{ labels: { signal: 'pod_security_evaluations_total' } }] },
        ],
      }]);
    });
    test('fires when kube-state-metrics runs without the annotation allowlist (or allowlists other keys only)', () => {
      const other = [
        // allowlist of another annotation only: kube_pod_annotations exists, without the pss-level label
        series('kube_pod_annotations', { ...KSM, namespace: 'payments', pod: 'api-7d9c5-x2k4f', uid: 'u-2', annotation_prometheus_io_scrape: 'true' }, '1x90'),
        series('kube_pod_status_phase', { ...KSM, namespace: 'payments', pod: 'api-7d9c5-x2k4f', uid: 'u-2', phase: 'Running' }, '1x90'),
      ];
      expectPass([{
        name: 'no pss-level label',
        series: [...apiserverBaseline('172.18.0.2:6443'), ...other],
        checks: [{ at: '61m', alert: 'RootlessMonitoringSignalMissing', fires: [{ labels: { signal: 'kube_pod_annotations' } }] }],
      }, {
        name: 'nothing scraped',
        series: [],
        checks: [{
          at: '61m',
          alert: 'RootlessMonitoringSignalMissing',
          fires: [
            { labels: { signal: 'pod_security_evaluations_total' } },
            { labels: { signal: 'kube_pod_annotations' } },
          ],
        }],
      }]);
    });
  });

  test('a custom window reaches every Pod Security admission alert', () => {
    const custom = new Promtool({ window: '30m' });
    const r = custom.test([{
      name: 'window 30m',
      series: [...apiserverBaseline('172.18.0.2:6443'), evaluations('172.18.0.2:6443', { decision: 'deny', mode: 'enforce', level: 'baseline', version: 'v1.30', resource: 'pod' }, '1x39 2x50')],
      checks: [
        { at: '45m', alert: 'PodSecurityEnforceDenied', fires: [{ labels: psaLabels('baseline', 'v1.30', 'pod'), value: 1 }] },
        { at: '65m', alert: 'PodSecurityEnforceDenied', fires: [{ labels: psaLabels('baseline', 'v1.30', 'pod'), value: 1 }] },
        { at: '75m', alert: 'PodSecurityEnforceDenied', fires: [] },
      ],
    }]);
    if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.output}`);
  });
}

if (available) {
  describe(`Prometheus (${probe.stdout.split('\n')[0]})`, suite);
} else if (inCI) {
  test('promtool is installed (required in CI)', () => {
    throw new Error(`promtool not found (${PROMTOOL}: ${probe.error?.message ?? probe.stderr}). `
      + 'The alert rules are tested by Prometheus\' promtool: install it with `apt-get install -y --no-install-recommends prometheus` '
      + '(.ci/run does this), or point PROMTOOL at the binary.');
  });
} else {
  // Outside CI only: say so loudly instead of passing silently.
  console.warn(`SKIPPED test/constructs/monitoring/promtool.test.ts: promtool not found (${PROMTOOL}). Install Debian's "prometheus" package to run it; in CI it is required.`);
  test.todo('Prometheus promtool tests: install Debian\'s "prometheus" package (promtool not installed here; required in CI)');
}
