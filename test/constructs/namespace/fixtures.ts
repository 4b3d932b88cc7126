import { ApiObject, Chart } from 'cdk8s';

/**
 * The reference article's elasticsearch StatefulSet (scenario 10) as a raw ApiObject: pod-level
 * runAsNonRoot with a root permission init container. Restricted rejects it (runAsUser=0, and
 * neither drop ALL, seccomp nor allowPrivilegeEscalation=false); baseline admits it.
 */
export function articleElasticsearch(chart: Chart, namespace: string): ApiObject {
  return new ApiObject(chart, 'elasticsearch', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'elasticsearch', namespace },
    spec: {
      serviceName: 'elasticsearch',
      selector: { matchLabels: { app: 'elasticsearch' } },
      template: {
        metadata: { labels: { app: 'elasticsearch' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
          initContainers: [{
            name: 'fix-permissions',
            image: 'busybox',
            command: ['sh', '-c', 'chown -R 1000:1000 /usr/share/elasticsearch/data'],
            volumeMounts: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data' }],
            securityContext: { runAsUser: 0 },
          }],
          containers: [{
            name: 'elasticsearch',
            image: 'elasticsearch:8.7.0',
            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
            volumeMounts: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      }],
    },
  });
}
