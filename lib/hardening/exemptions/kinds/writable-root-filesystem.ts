/**
 * writableRootFilesystem: the container's root filesystem may be writable
 * (`readOnlyRootFilesystem: false`). Not a Pod Security check: relaxes the rootless rule
 * readOnlyRootFilesystem only.
 */
import { ExemptionKind } from '../../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { set } from './common';

export const WRITABLE_ROOT_FILESYSTEM: ExemptionKindSpec = {
  id: ExemptionKind.WRITABLE_ROOT_FILESYSTEM,
  podOnly: false,
  relaxes: ['readOnlyRootFilesystem'],
  fields: 'securityContext.readOnlyRootFilesystem not true',
  hint: 'writablePaths, or Exemption.writableRootFilesystem(reason, { container })',
  applyContainer: sc => { sc.readOnlyRootFilesystem = false; },
  revertContainer: sc => set(sc, 'readOnlyRootFilesystem', true),
};
