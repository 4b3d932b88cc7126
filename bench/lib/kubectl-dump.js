'use strict';
/**
 * Generated `kubectl get ns,pods -A -o json` dumps in kubectl's real shape: 4-space indentation,
 * keys in Go's alphabetical order, and every pod with what makes real pods 8-9 KB: managedFields,
 * status with conditions and containerStatuses, tolerations, owner references, probes, env and
 * projected service-account token volumes. Written in pieces (never one string), so a 150,000-pod
 * dump (about 1.3 GB) can be generated; deterministic, so every run audits the same bytes.
 */
const fs = require('fs');
const path = require('path');

/** Go's encoding/json sorts map keys; kubectl's structs print in field order. Sorting is close enough. */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const k of Object.keys(value).sort()) out[k] = sorted(value[k]);
  return out;
}

function hex(i, n) {
  return (i * 2654435761 >>> 0).toString(16).padStart(8, '0').slice(0, n);
}

const TIME = '2026-11-20T08:15:42Z';

function managedFields(manager) {
  return {
    apiVersion: 'v1',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:generateName': {}, 'f:labels': {}, 'f:ownerReferences': {} },
      'f:spec': {
        'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {}, 'f:securityContext': {} } },
      },
    },
    manager,
    operation: 'Update',
    time: TIME,
  };
}

/** One pod, about 8-9 KB as kubectl prints it. `profile`: restricted, baseline or privileged. */
function pod(i, namespace) {
  const profile = i % 7 === 0 ? 'privileged' : i % 3 === 0 ? 'restricted' : 'baseline';
  const app = `svc-${i % 997}`;
  const name = `${app}-${hex(i, 10)}-${hex(i + 7, 5)}`;
  const containerSecurity = profile === 'restricted'
    ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true }
    : profile === 'privileged' ? { privileged: true } : { readOnlyRootFilesystem: false };
  const podSecurity = profile === 'restricted' ? { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } } : {};
  const volumes = [
    { emptyDir: {}, name: 'tmp' },
    {
      name: `kube-api-access-${hex(i, 5)}`,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    },
  ];
  if (profile === 'privileged') volumes.push({ hostPath: { path: '/var/log', type: '' }, name: 'varlog' });
  return sorted({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/restartedAt': TIME, 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' },
      creationTimestamp: TIME,
      generateName: `${app}-${hex(i, 10)}-`,
      labels: { 'app.kubernetes.io/name': app, 'pod-template-hash': hex(i, 10) },
      managedFields: [managedFields('kube-controller-manager'), { apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} } }, manager: 'kubelet', operation: 'Update', subresource: 'status', time: TIME }],
      name,
      namespace,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${app}-${hex(i, 10)}`, uid: '0b9d1c2e-4f6a-4b8c-9d0e-1f2a3b4c5d6e' }],
      resourceVersion: String(1000000 + i),
      uid: `${hex(i, 8)}-1a2b-4c3d-8e4f-${hex(i + 3, 8)}${hex(i + 5, 4)}`,
    },
    spec: {
      containers: [{
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        image: `registry.example.com/team/${app}:1.${i % 20}.${i % 9}`,
        imagePullPolicy: 'IfNotPresent',
        name: 'app',
        ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
        securityContext: containerSecurity,
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }, { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: `kube-api-access-${hex(i, 5)}`, readOnly: true }],
      }],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName: `node-${i % 500}.example.internal`,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: podSecurity,
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
      volumes,
    },
    status: {
      conditions: ['Ready', 'PodScheduled'].map(type => ({ lastProbeTime: null, lastTransitionTime: TIME, status: 'True', type })),
      containerStatuses: [{
        containerID: `containerd://${hex(i, 8).repeat(8)}`,
        image: `registry.example.com/team/${app}:1.${i % 20}.${i % 9}`,
        imageID: `registry.example.com/team/${app}@sha256:${hex(i + 1, 8).repeat(8)}`,
        lastState: {},
        name: 'app',
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: TIME } },
      }],
      hostIP: `10.0.${(i >> 8) & 255}.${i & 255}`,
      hostIPs: [{ ip: `10.0.${(i >> 8) & 255}.${i & 255}` }],
      phase: 'Running',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      podIPs: [{ ip: `10.244.${(i >> 8) & 255}.${i & 255}` }],
      qosClass: 'Burstable',
      startTime: TIME,
    },
  });
}

/** A Namespace with Pod Security labels (every third one enforces restricted, every fifth baseline). */
function namespace(n) {
  const labels = { 'kubernetes.io/metadata.name': `team-${n}` };
  if (n % 3 === 0) labels['pod-security.kubernetes.io/enforce'] = 'restricted';
  else if (n % 5 === 0) labels['pod-security.kubernetes.io/enforce'] = 'baseline';
  labels['pod-security.kubernetes.io/warn'] = 'restricted';
  return sorted({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { creationTimestamp: TIME, labels, name: `team-${n}`, resourceVersion: String(500 + n), uid: `${hex(n, 8)}-0000-4000-8000-${hex(n + 1, 8)}0000` },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

/** kubectl's item indentation: each item is indented by 8 spaces inside `"items": [`. */
function indentItem(json) {
  return json.replace(/\n/g, '\n        ');
}

const NAMESPACES = 50;

/**
 * Writes `kubectl get ns,pods -A -o json` with `count` pods (spread over 50 namespaces, which come
 * first, as kubectl prints them) to `outDir`, once; returns the file name.
 */
function kubectlDumpFile(outDir, count, { namespaces = true } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `kubectl-${namespaces ? 'ns-' : ''}pods-${count}.json`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let pending = '{\n    "apiVersion": "v1",\n    "items": [';
    let first = true;
    const put = obj => {
      pending += (first ? '\n        ' : ',\n        ') + indentItem(JSON.stringify(obj, null, 4));
      first = false;
      if (pending.length > 1 << 20) {
        fs.writeSync(fd, pending);
        pending = '';
      }
    };
    if (namespaces) for (let n = 0; n < NAMESPACES; n++) put(namespace(n));
    for (let i = 0; i < count; i++) put(pod(i, `team-${i % NAMESPACES}`));
    pending += '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n';
    fs.writeSync(fd, pending);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

module.exports = { kubectlDumpFile, pod, namespace };
