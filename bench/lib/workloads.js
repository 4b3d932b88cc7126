'use strict';
/**
 * Deterministic, realistic workloads for the benchmarks: a mix of Deployments, Pods and
 * StatefulSets (one or two containers, probes, resources, volumes), about a third of them
 * restricted-compliant, some baseline-only, some privileged. About 700 bytes each as YAML (10,000 make the ~7 MB file of the yaml-10k case).
 */
const fs = require('fs');
const path = require('path');

/** A small deterministic PRNG (mulberry32), so every run audits the same files. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IMAGES = ['nginxinc/nginx-unprivileged:1.27', 'redis:7-alpine', 'postgres:16', 'grafana/grafana:11.2.0', 'quay.io/prometheus/prometheus:v2.54.1', 'ghcr.io/acme/api:2.3.1', 'ghcr.io/acme/worker:2.3.1'];

function container(r, name, profile) {
  const c = {
    name,
    image: IMAGES[Math.floor(r() * IMAGES.length)],
    ports: [{ containerPort: 8080 + Math.floor(r() * 10), name: 'http' }],
  };
  if (r() < 0.6) c.resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };
  if (r() < 0.3) c.env = [{ name: 'LOG_LEVEL', value: 'info' }];
  if (r() < 0.25) c.readinessProbe = { httpGet: { path: '/healthz', port: 'http' } };
  if (profile === 'restricted') {
    c.securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  } else if (profile === 'baseline') {
    c.securityContext = { readOnlyRootFilesystem: r() < 0.5 };
  } else {
    c.securityContext = { privileged: true };
  }
  return c;
}

function podSpec(r, i, profile) {
  const n = r() < 0.8 ? 1 : 2;
  const spec = {};
  if (profile === 'restricted') spec.securityContext = { runAsNonRoot: true, runAsUser: 1000 + (i % 5), seccompProfile: { type: 'RuntimeDefault' } };
  spec.containers = [];
  for (let k = 0; k < n; k++) spec.containers.push(container(r, k === 0 ? 'app' : `sidecar-${k}`, profile));
  spec.volumes = [{ name: 'tmp', emptyDir: {} }];
  if (profile === 'privileged' && r() < 0.5) spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } });
  return spec;
}

/** `count` workloads as plain objects. */
function workloads(count, seed = 42) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    const profile = x < 0.35 ? 'restricted' : x < 0.85 ? 'baseline' : 'privileged';
    const y = r();
    const kind = y < 0.5 ? 'Deployment' : y < 0.75 ? 'Pod' : 'StatefulSet';
    const name = `app-${i}`;
    const metadata = { name, namespace: `team-${i % 40}`, labels: { app: name } };
    const spec = podSpec(r, i, profile);
    if (kind === 'Pod') {
      out.push({ apiVersion: 'v1', kind, metadata, spec });
    } else {
      const template = { metadata: { labels: { app: name } }, spec };
      const s = { replicas: 2, selector: { matchLabels: { app: name } } };
      if (kind === 'StatefulSet') s.serviceName = name;
      s.template = template;
      out.push({ apiVersion: 'apps/v1', kind, metadata, spec: s });
    }
  }
  return out;
}

/** Writes `file` unless it exists; returns its path. */
function writeOnce(file, produce) {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file + '.tmp', produce());
    fs.renameSync(file + '.tmp', file);
  }
  return file;
}

/** The multi-document YAML file of `count` workloads (as `kubectl`/Helm print them). */
function yamlFile(outDir, count) {
  return writeOnce(path.join(outDir, `workloads-${count}.yaml`), () => {
    const yaml = require('js-yaml');
    return workloads(count).map(w => '---\n' + yaml.dump(w, { seqNoIndent: true, lineWidth: -1 })).join('');
  });
}

/** The same workloads as one `kind: List` JSON, as `kubectl get -o json` prints it (4-space indent). */
function jsonListFile(outDir, count) {
  return writeOnce(path.join(outDir, `workloads-${count}.json`), () => JSON.stringify({
    apiVersion: 'v1',
    items: workloads(count),
    kind: 'List',
    metadata: { resourceVersion: '' },
  }, null, 4) + '\n');
}

module.exports = { workloads, yamlFile, jsonListFile, writeOnce };

/**
 * The same workloads as `yamlFile`, written with anchors, aliases and merge keys in every object
 * (the labels anchored in metadata, aliased in the selector, merged with `<<` into the pod
 * template's labels): the objects read are the same as yamlFile's.
 */
function yamlAnchorsFile(outDir, count) {
  return writeOnce(path.join(outDir, `workloads-anchors-${count}.yaml`), () => {
    const yaml = require('js-yaml');
    return workloads(count).map(w => {
      const labels = w.metadata.labels;
      if (w.kind !== 'Pod') {
        w.spec.selector.matchLabels = labels;
        w.spec.template.metadata.labels = { '<<': labels };
      } else {
        w.metadata.annotations = { '<<': labels };
      }
      // js-yaml quotes the key; a merge key is the plain scalar <<
      return '---\n' + yaml.dump(w, { seqNoIndent: true, lineWidth: -1 }).replace(/'<<':/g, '<<:');
    }).join('');
  });
}

module.exports.yamlAnchorsFile = yamlAnchorsFile;
