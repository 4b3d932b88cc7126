/**
 * Scenario 7: postgres as non-root, the password from a Secret, data on a per-replica claim.
 *
 * The article runs `postgres:15-alpine` as UID/fsGroup 999. Correction: 999 is the Debian image's
 * `postgres` user; in the Alpine image it is 70:70 (`ImagePreset.postgresAlpine()`). The password
 * comes from an existing Secret (never written into the manifest). The claim is mounted one level
 * above PGDATA, at the preset's data path `/var/lib/postgresql` (PGDATA `/var/lib/postgresql/data`
 * is then a directory on the claim): a fresh volume's root holds `lost+found`, and initdb refuses a
 * non-empty directory. Synthesis refuses a claim mounted at PGDATA itself.
 * Block-storage CSI drivers apply fsGroup, so `VolumePermissions.FS_GROUP_ONLY` (fsGroup 70 with
 * OnRootMismatch) is enough: no root init container, and the pod stays PSS restricted.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessStatefulSet, VolumePermissions } from 'cdk8s-rootless-plus-27';
import { ImagePreset } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'postgres');
  const credentials = kplus.Secret.fromSecretName(chart, 'credentials', 'db-credentials');
  new RootlessStatefulSet(chart, 'postgres', {
    preset: ImagePreset.postgresAlpine(),
    volumePermissions: VolumePermissions.FS_GROUP_ONLY,
    containers: [{
      name: 'postgres',
      image: 'postgres:15-alpine',
      portNumber: 5432,
      envVariables: {
        POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: credentials, key: 'password' }),
      },
    }],
    volumeClaimTemplates: [{ name: 'data', mountPath: '/var/lib/postgresql', size: Size.gibibytes(10) }],
  });
  return chart;
}
