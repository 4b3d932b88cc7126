import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardenedPodSpecProps } from './options';

/**
 * The props every rootless workload shares: the hardened pod template (`HardenedPodSpecProps`),
 * the resource metadata, and the cdk8s-plus `WorkloadProps` fields. (jsii does not allow
 * re-declaring `containers` in a sub-interface of `kplus.WorkloadProps`, so its fields are mirrored.)
 */
export interface RootlessWorkloadProps extends HardenedPodSpecProps, kplus.ResourceProps {
  /**
   * The metadata of the pod template. The hardening adds the annotations
   * `rootless.cdk8s.io/exemptions` and `rootless.cdk8s.io/pss-level` here (admission reads only
   * the pod template, not the workload's own metadata).
   * @default - only the selector label and the hardening annotations
   */
  readonly podMetadata?: ApiObjectMetadata;

  /**
   * Automatically allocates a pod label selector for this workload and adds it to the pod
   * metadata, so that the workload manages the pods its template creates.
   * @default true
   */
  readonly select?: boolean;

  /**
   * Automatically spreads pods across hostnames and zones (preferred pod anti-affinity on
   * `kubernetes.io/hostname` and `topology.kubernetes.io/zone`). The construct adds the two terms
   * once, through `scheduling.spread()` (cdk8s-plus-27 itself appends them again every time the pod
   * spec is rendered, and cdk8s renders more than once per synthesis); the inherited `spread`
   * property of the workload therefore reads `false`.
   * @default false
   */
  readonly spread?: boolean;
}
