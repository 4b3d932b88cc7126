/**
 * Scenario 10: a stateful app whose volume needs a permission init container (elasticsearch).
 *
 * For volumes whose driver ignores fsGroup (e.g. some NFS or hostPath-backed provisioners), a
 * root init container gives the data directory to UID 1000 before Elasticsearch starts.
 * Correction to the article: it sets pod-level `runAsNonRoot: true` next to an init container
 * with `runAsUser: 0`; the init container inherits `runAsNonRoot: true` and the kubelet refuses
 * to start it, so the pod never runs. RootlessStatefulSet sets `runAsNonRoot` per container
 * instead (`false`, explicitly, on the init container), keeps every other hardening on it (drop
 * ALL but CHOWN/FOWNER, read-only root, no escalation, seccomp, limits, a pinned busybox), walks
 * the volume only when its root does not match (not `chown -R` on every restart), and declares the
 * exemptions this implies, so the pod template is annotated `baseline`, not `restricted`: deploy it
 * to a namespace that enforces baseline (and warns/audits restricted). Use
 * `VolumePermissions.FS_GROUP_ONLY` instead when the storage applies fsGroup: the pod is then restricted.
 *
 * Elasticsearch 8 writes its keystore and auto-generated TLS certificates into
 * /usr/share/elasticsearch/config on first start, a directory that ships files (an emptyDir would
 * hide them), hence the declared writableRootFilesystem exemption. `node.store.allow_mmap=false`
 * avoids the `vm.max_map_count` host sysctl, which would need a privileged init container.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessStatefulSet } from 'cdk8s-rootless-plus-27';
import { Exemption, ImagePreset } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'elasticsearch');
  new RootlessStatefulSet(chart, 'elasticsearch', {
    preset: ImagePreset.elasticsearch(),
    exemptions: [
      Exemption.writableRootFilesystem('Elasticsearch 8 writes its keystore and TLS certificates into /usr/share/elasticsearch/config, '
        + 'which ships default files an emptyDir would hide', { container: 'elasticsearch' }),
    ],
    containers: [{
      name: 'elasticsearch',
      image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0',
      portNumber: 9200,
      envVariables: {
        'discovery.type': kplus.EnvValue.fromValue('single-node'),
        'node.store.allow_mmap': kplus.EnvValue.fromValue('false'),
        'ES_JAVA_OPTS': kplus.EnvValue.fromValue('-Xms1g -Xmx1g'),
      },
      resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
    }],
    volumeClaimTemplates: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data', size: Size.gibibytes(10) }],
  });
  return chart;
}
