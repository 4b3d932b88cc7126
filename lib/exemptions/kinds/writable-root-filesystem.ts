/**
 * writableRootFilesystem: the container's root filesystem may be writable
 * (`readOnlyRootFilesystem: false`). Not a Pod Security check: relaxes the rootless rule
 * readOnlyRootFilesystem only.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { objectAt, set } from './common';

export const WRITABLE_ROOT_FILESYSTEM: ExemptionKindSpec = {
  id: ExemptionKind.WRITABLE_ROOT_FILESYSTEM,
  podOnly: false,
  relaxes: ['readOnlyRootFilesystem'],
  cel: { fields: ['readOnlyRootFilesystem'] },
  fields: 'securityContext.readOnlyRootFilesystem not true',
  hint: 'writablePaths, or Exemption.writableRootFilesystem(reason, { container })',
  detect: ({ container: c }) => (c && objectAt(c.securityContext).readOnlyRootFilesystem === false
    ? { what: `container ${c.name} needs a writable root filesystem` } : undefined),
  applyContainer: sc => { sc.readOnlyRootFilesystem = false; },
  revertContainer: sc => set(sc, 'readOnlyRootFilesystem', true),
};
