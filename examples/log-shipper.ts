/**
 * A node agent that genuinely needs the host: a log shipper (Fluent Bit) on every node, reading the
 * container logs under /var/log through a hostPath volume, as a RootlessDaemonSet.
 *
 * Two things it cannot do without, each declared as an exemption with its reason:
 * - `Exemption.hostPath`: the logs are files on the node. hostPath is forbidden even by PSS
 *   `baseline`, so this pod's level is honestly `privileged` (the annotation says so, and
 *   `npm run examples` checks that the audit agrees). Deploy it to a namespace of its own that
 *   enforces `privileged`, not next to the apps.
 * - `Exemption.runAsRoot`: the container runtime writes the log files as root with mode 0640, so only
 *   UID 0 can read them. Every other hardening stays: capabilities all dropped (root without
 *   DAC_OVERRIDE reads the files because it owns them), no privilege escalation, RuntimeDefault
 *   seccomp, read-only root filesystem, and /var/log mounted read-only.
 * The position database is kept on an emptyDir (`writablePaths`): after a restart of the pod, Fluent
 * Bit reads from the end of each file (Read_from_Head off), so nothing is shipped twice.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessDaemonSet } from 'cdk8s-rootless-plus-27';
import { Exemption } from 'cdk8s-rootless';

const CONFIG = `[SERVICE]
    Flush        5
    HTTP_Server  On
    HTTP_Port    2020

[INPUT]
    Name         tail
    Path         /var/log/containers/*.log
    multiline.parser cri
    DB           /var/fluent-bit/state/flb.db
    Mem_Buf_Limit 50MB

[OUTPUT]
    Name         forward
    Match        *
    Host         log-aggregator.logging.svc
    Port         24224
`;

export function build(app: App): Chart {
  const chart = new Chart(app, 'log-shipper');
  const config = new kplus.ConfigMap(chart, 'config', { data: { 'fluent-bit.conf': CONFIG } });
  const shipper = new RootlessDaemonSet(chart, 'log-shipper', {
    metadata: { namespace: 'logging' },
    user: 0,
    exemptions: [
      Exemption.hostPath('reads the container logs that the kubelet and the container runtime write under /var/log on every node', {
        paths: ['/var/log'],
      }),
      Exemption.runAsRoot('the container runtime writes the log files as root with mode 0640, so only root can read them'),
    ],
    minReadySeconds: 10,
    containers: [{
      name: 'fluent-bit',
      image: 'fluent/fluent-bit:3.1.9',
      args: ['--config', '/fluent-bit/etc/fluent-bit.conf'],
      portNumber: 2020,
      writablePaths: ['/var/fluent-bit/state'],
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
    }],
  });
  const fluentBit = shipper.containers[0];
  fluentBit.mount('/fluent-bit/etc', kplus.Volume.fromConfigMap(chart, 'config-volume', config), { readOnly: true });
  fluentBit.mount('/var/log', kplus.Volume.fromHostPath(chart, 'varlog', 'varlog', { path: '/var/log', type: kplus.HostPathVolumeType.DIRECTORY }),
    { readOnly: true });
  return chart;
}
