/**
 * Scenario 14: alerting on pods that do not run rootless.
 *
 * The article's PrometheusRule subtracts (`unless`) `kube_pod_spec_securitycontext_runasnonroot`, a
 * metric kube-state-metrics does not export: nothing is subtracted, so the rule matches every
 * running container, root or not, and says nothing about root. RootlessAlertRules alerts on
 * signals that exist:
 * - the API server's `pod_security_evaluations_total` (Pod Security admission denials in enforce
 *   mode, violations in warn and audit modes);
 * - kube-state-metrics' `kube_pod_annotations` with this library's `rootless.cdk8s.io/pss-level`
 *   pod annotation (running pods below restricted). kube-state-metrics must be started with
 *   `KubeStateMetrics.annotationsAllowlistFlag()`, i.e.
 *   `--metric-annotations-allowlist=pods=[rootless.cdk8s.io/pss-level]`
 *   (Helm: `metricAnnotationsAllowList: ['pods=[rootless.cdk8s.io/pss-level]']`);
 * - and the absence of either signal, so a missing scrape or flag cannot silence the rules.
 *
 * See docs/monitoring.md for the runbooks and for the audit CLI that replaces the article's jq query.
 */
import { App, Chart } from 'cdk8s';
import { AlertSeverity, RootlessAlertRules } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'monitoring');
  new RootlessAlertRules(chart, 'security-alerts', {
    name: 'rootless-security-alerts',
    namespace: 'monitoring',
    // the label kube-prometheus-stack's default ruleSelector matches
    labels: { release: 'kube-prometheus-stack' },
    enforceDenials: { severity: AlertSeverity.WARNING },
    belowRestricted: { forDuration: '30m' },
  });
  return chart;
}
