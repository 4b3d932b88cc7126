/**
 * Enforcing the rootless rules beyond the Pod Security labels (Kubernetes >= 1.30).
 *
 * Pod Security admission only warns about workloads (Deployments, StatefulSets ...) and rejects
 * their pods later, when the ReplicaSet controller creates them. This ValidatingAdmissionPolicy
 * rejects the workload itself when its pod template breaks a rootless rule (runAsNonRoot, UID 0,
 * privilege escalation, drop ALL, seccomp), and honours the exemptions this library writes on the
 * pod template (`rootless.cdk8s.io/exemptions`) only when every entry carries a reason.
 *
 * Here: enforced (Deny, and recorded in the audit log) in namespaces labelled
 * `rootless.cdk8s.io/enforce=true`; observed (Warn + Audit) everywhere else but kube-system.
 */
import { App, Chart } from 'cdk8s';
import { LabelSelectorOperator, RootlessAdmissionPolicy, ValidationAction } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'admission-policy');
  new RootlessAdmissionPolicy(chart, 'enforce', {
    name: 'rootless-enforce',
    bindingName: 'rootless-enforce',
    validationActions: [ValidationAction.DENY, ValidationAction.AUDIT],
    namespaceSelector: { matchLabels: { 'rootless.cdk8s.io/enforce': 'true' } },
  });
  new RootlessAdmissionPolicy(chart, 'observe', {
    name: 'rootless-observe',
    bindingName: 'rootless-observe',
    validationActions: [ValidationAction.WARN, ValidationAction.AUDIT],
    namespaceSelector: {
      matchExpressions: [{ key: 'rootless.cdk8s.io/enforce', operator: LabelSelectorOperator.NOT_IN, values: ['true'] }],
    },
  });
  return chart;
}
