import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { parsePromQL, parser } from './promql';
import { AlertSeverity, KubeStateMetrics, RootlessAlertRules, RootlessAlertRulesProps } from '../../../lib/constructs/monitoring';

/** The labels each metric really has (API server pod-security-admission metrics; kube-state-metrics). */
const METRIC_LABELS: Record<string, string[]> = {
  pod_security_evaluations_total: ['decision', 'policy_level', 'policy_version', 'mode', 'request_operation', 'resource', 'subresource'],
  kube_pod_annotations: ['namespace', 'pod', 'uid', 'annotation_rootless_cdk8s_io_pss_level'],
  kube_pod_status_phase: ['namespace', 'pod', 'uid', 'phase'],
  // every scrape target's health, labelled with the target's job and instance
  up: ['job', 'instance'],
};

function synth(props: RootlessAlertRulesProps = {}): any {
  const chart = Testing.chart();
  new RootlessAlertRules(chart, 'alerts', props);
  const docs = Testing.synth(chart);
  expect(docs).toHaveLength(1);
  return docs[0];
}

const rulesOf = (doc: any): any[] => doc.spec.groups.flatMap((g: any) => g.rules);
const ALL = { unlabelledPods: { enabled: true } };

describe('PromQL', () => {
  test.each(rulesOf(synth(ALL)).map(r => [r.alert, r.expr]))('%s parses with the Prometheus grammar and reads only real metrics and labels', (_alert, expr) => {
    const parsed = parsePromQL(expr);
    expect(parsed.errors).toEqual([]);
    expect(parsed.metrics.length).toBeGreaterThan(0);
    for (const m of parsed.metrics) expect(Object.keys(METRIC_LABELS)).toContain(m);
    for (const l of parsed.labels.filter(x => !x.startsWith('by('))) {
      const [, metric, label] = /^(\w+)\{(\w+)\}$/.exec(l)!;
      expect(METRIC_LABELS[metric]).toContain(label);
    }
  });

  test('the walk sees metrics, matchers and grouping labels', () => {
    const below = rulesOf(synth()).find(r => r.alert === 'PodBelowRestricted');
    expect(parsePromQL(below.expr)).toEqual({
      errors: [],
      metrics: ['kube_pod_annotations', 'kube_pod_status_phase'],
      labels: expect.arrayContaining(['by(namespace)', 'kube_pod_annotations{annotation_rootless_cdk8s_io_pss_level}', 'kube_pod_status_phase{phase}']),
    });
  });

  test('the parser catches broken expressions (it is not a no-op)', () => {
    expect(parsePromQL('sum by (namespace (foo').errors).not.toEqual([]);
    expect(parsePromQL('foo{bar=}').errors).not.toEqual([]);
    expect(parsePromQL('rate(foo[5m]').errors).not.toEqual([]);
  });

  test('the article\'s metric is nowhere', () => {
    expect(JSON.stringify(synth(ALL))).not.toContain('kube_pod_spec_securitycontext_runasnonroot');
  });

  test('namespaceRegex and window reach the expressions and still parse', () => {
    const rules = rulesOf(synth({ ...ALL, namespaceRegex: 'apps-.*|payments', window: '30m' }));
    const below = rules.find(r => r.alert === 'PodBelowRestricted');
    expect(below.expr).toContain('namespace=~"apps-.*|payments"');
    expect(rules.find(r => r.alert === 'PodSecurityEnforceDenied').expr).toContain('[30m]');
    for (const r of rules) expect(parsePromQL(r.expr).errors).toEqual([]);
  });

  test('a namespace regex with quotes is escaped', () => {
    const expr = rulesOf(synth({ namespaceRegex: 'a"b' })).find(r => r.alert === 'PodBelowRestricted').expr;
    expect(parsePromQL(expr).errors).toEqual([]);
  });
});

describe('alerts', () => {
  test('defaults', () => {
    const doc = synth();
    expect(doc.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(doc.kind).toBe('PrometheusRule');
    expect(doc.spec.groups.map((g: any) => g.name)).toEqual(['rootless-pod-security']);
    const rules = rulesOf(doc);
    expect(rules.map(r => [r.alert, r.labels.severity, r.for])).toEqual([
      ['PodSecurityEnforceDenied', 'warning', '0m'],
      ['PodSecurityWarnViolations', 'info', '0m'],
      ['PodSecurityAuditViolations', 'info', '0m'],
      ['PodBelowRestricted', 'warning', '15m'],
      ['RootlessMonitoringSignalMissing', 'warning', '1h'],
    ]);
    for (const r of rules) {
      expect(r.annotations.summary).toBeTruthy();
      expect(r.annotations.description).toBeTruthy();
      expect(r.annotations.runbook_url).toBe(`https://github.com/cdk8s-rootless/cdk8s-rootless/blob/main/docs/monitoring.md#${r.alert.toLowerCase()}`);
    }
    expect(doc).toMatchSnapshot();
  });

  test('the Pod Security admission alerts select denials per mode', () => {
    const rules = rulesOf(synth());
    for (const [alert, mode] of [['PodSecurityEnforceDenied', 'enforce'], ['PodSecurityWarnViolations', 'warn'], ['PodSecurityAuditViolations', 'audit']]) {
      expect(rules.find(r => r.alert === alert).expr).toContain(`pod_security_evaluations_total{decision="deny",mode="${mode}"}[10m]`);
    }
  });

  test('below restricted: declared baseline/privileged pods that are running, not pods without the annotation', () => {
    const expr = rulesOf(synth()).find(r => r.alert === 'PodBelowRestricted').expr;
    expect(expr).toContain('kube_pod_annotations{annotation_rootless_cdk8s_io_pss_level=~"baseline|privileged"}');
    expect(expr).toContain('kube_pod_status_phase{phase="Running"}');
    expect(expr).not.toContain('!="restricted"');
  });

  test('per-alert options', () => {
    const rules = rulesOf(synth({
      name: 'security-alerts',
      enforceDenials: { severity: AlertSeverity.CRITICAL, forDuration: '1m', summary: 's', description: 'd', runbookUrl: 'https://runbooks.example/psa', labels: { team: 'platform' } },
      warnViolations: { enabled: false },
      runbookBaseUrl: 'https://wiki.example/rootless',
    }));
    const denied = rules.find(r => r.alert === 'PodSecurityEnforceDenied');
    expect(denied).toMatchObject({ for: '1m', labels: { severity: 'critical', team: 'platform' }, annotations: { summary: 's', description: 'd', runbook_url: 'https://runbooks.example/psa' } });
    expect(rules.map(r => r.alert)).not.toContain('PodSecurityWarnViolations');
    expect(rules.find(r => r.alert === 'PodBelowRestricted').annotations.runbook_url).toBe('https://wiki.example/rootless#podbelowrestricted');
  });

  test('metadata: name, namespace and the labels a ruleSelector matches', () => {
    const doc = synth({ name: 'rootless', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    expect(doc.metadata).toEqual({ name: 'rootless', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
  });

  test('alertNames', () => {
    const chart = Testing.chart();
    const rules = new RootlessAlertRules(chart, 'alerts', { signalMissing: { enabled: false } });
    expect(rules.alertNames).toEqual(['PodSecurityEnforceDenied', 'PodSecurityWarnViolations', 'PodSecurityAuditViolations', 'PodBelowRestricted']);
  });
});

describe('kube-state-metrics', () => {
  test('the allowlist flag', () => {
    expect(KubeStateMetrics.annotationsAllowlistFlag()).toBe('--metric-annotations-allowlist=pods=[rootless.cdk8s.io/pss-level]');
    expect(KubeStateMetrics.annotationsAllowlistFlag(['rootless.cdk8s.io/exemptions']))
      .toBe('--metric-annotations-allowlist=pods=[rootless.cdk8s.io/pss-level,rootless.cdk8s.io/exemptions]');
    expect(KubeStateMetrics.annotationsAllowlist()).toBe('pods=[rootless.cdk8s.io/pss-level]');
    expect(() => KubeStateMetrics.annotationsAllowlist(['a,b'])).toThrow(/"a,b" is not an annotation key/);
  });

  test.each([
    ['rootless.cdk8s.io/pss-level', 'annotation_rootless_cdk8s_io_pss_level'],
    ['rootless.cdk8s.io/exemptions', 'annotation_rootless_cdk8s_io_exemptions'],
    ['example.com/camelCase', 'annotation_example_com_camel_case'],
  ])('label of %s is %s (sanitised, then snake-cased, as kube-state-metrics does)', (key, label) => {
    expect(KubeStateMetrics.annotationLabel(key)).toBe(label);
  });
});

describe('bad input names the construct path, the prop and the fix', () => {
  const error = (props: RootlessAlertRulesProps) => {
    try {
      new RootlessAlertRules(Testing.chart(), 'alerts', props);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('construction succeeded');
  };
  test('durations', () => {
    expect(error({ window: '10 minutes' })).toContain('test/alerts: invalid RootlessAlertRules props:\n  props.window: "10 minutes" is not a Prometheus duration. Fix: use e.g. "10m".');
    expect(error({ belowRestricted: { forDuration: '1.5h' } })).toContain('props.belowRestricted.forDuration: "1.5h" is not a Prometheus duration');
    expect(error({ enforceDenials: { forDuration: '' } })).toContain('props.enforceDenials.forDuration: ""');
  });
  test('severity and labels', () => {
    expect(error({ auditViolations: { severity: 'page' as AlertSeverity } })).toContain('props.auditViolations.severity: "page" is not a severity');
    expect(error({ auditViolations: { labels: { 'team-name': 'x' } } })).toContain('props.auditViolations.labels: "team-name" is not a Prometheus label name');
    expect(error({ auditViolations: { labels: { severity: 'x' } } })).toContain('"severity" is set by props.auditViolations.severity');
    expect(error({ labels: { 'bad key!': 'x' } })).toContain('props.labels: "bad key!" is not a Kubernetes label key');
  });
  test('everything disabled', () => {
    const off = { enabled: false };
    expect(error({ enforceDenials: off, warnViolations: off, auditViolations: off, belowRestricted: off, signalMissing: off }))
      .toContain('every alert is disabled');
  });
});

describe('the reference article\'s rule (scenario 14)', () => {
  const ARTICLE = `kube_pod_container_status_running{
  container!~"istio-proxy|linkerd-proxy"
} * on(namespace,pod,container)
kube_pod_container_info{
  container_id!="",
  container!~"istio-proxy|linkerd-proxy"
} unless on(namespace,pod,container)
kube_pod_spec_securitycontext_runasnonroot == 1`;

  test('parses, and its only root-related input is a metric kube-state-metrics does not export', () => {
    const parsed = parsePromQL(ARTICLE);
    expect(parsed.errors).toEqual([]);
    expect(parsed.metrics).toEqual(['kube_pod_container_status_running', 'kube_pod_container_info', 'kube_pod_spec_securitycontext_runasnonroot']);
  });

  test('`unless` is the outermost operator: with its right side empty, the rule returns every running container', () => {
    const top = parser.parse(ARTICLE).topNode.firstChild!;
    expect(top.name).toBe('BinaryExpr');
    const op = top.getChild('Unless');
    expect(op).not.toBeNull();
  });
});

describe('toPrometheusRulesYaml(): a plain rules file for Prometheus without the operator', () => {
  function build(props: RootlessAlertRulesProps): { alerts: RootlessAlertRules; chart: any } {
    const chart = Testing.chart();
    return { alerts: new RootlessAlertRules(chart, 'alerts', props), chart };
  }

  test.each<[string, RootlessAlertRulesProps]>([
    ['defaults', {}],
    ['every option', {
      ...ALL,
      name: 'psa',
      namespace: 'monitoring',
      labels: { release: 'kps' },
      window: '30m',
      groupName: 'my-group',
      namespaceRegex: 'shop|web',
      belowRestricted: { severity: AlertSeverity.CRITICAL, forDuration: '5m', labels: { team: 'platform' }, summary: 'yes', description: 'on: off' },
    }],
  ])('is the PrometheusRule\'s spec, as synthesized (%s)', (_name, props) => {
    const { alerts, chart } = build(props);
    const [doc] = Testing.synth(chart);
    const text = alerts.toPrometheusRulesYaml();
    // read as Prometheus reads it (YAML 1.1 scalars: "yes" and "on" must stay strings)
    const plain = parseYaml(text, { version: '1.1' });
    expect(plain).toEqual(doc.spec);
    expect(Object.keys(plain)).toEqual(['groups']);
    expect(text).not.toMatch(/^\s*(apiVersion|kind|metadata):/m);
    expect(text).not.toContain('monitoring.coreos.com');
  });

  test('follows what changes the PrometheusRule (a JSON patch): the two never differ', () => {
    const { alerts, chart } = build({});
    ApiObject.of(alerts.rule).addJsonPatch(JsonPatch.replace('/spec/groups/0/rules/0/labels/severity', 'critical'));
    const [doc] = Testing.synth(chart);
    expect(doc.spec.groups[0].rules[0].labels.severity).toBe('critical');
    expect(parseYaml(alerts.toPrometheusRulesYaml(), { version: '1.1' })).toEqual(doc.spec);
  });

  test('a PrometheusRule whose groups were patched away is an error naming the construct', () => {
    const { alerts } = build({});
    ApiObject.of(alerts.rule).addJsonPatch(JsonPatch.remove('/spec/groups'));
    expect(() => alerts.toPrometheusRulesYaml()).toThrow(/test\/alerts: the PrometheusRule has no spec\.groups/);
  });
});
