export * from './policy';
export * from './exemptions/exemption';
export * from './exemptions/namespace-exemption';
export * from './hardening/annotations';
export * from './hardening/image-preset';
export * from './hardening/hardening-notes';
export * from './constructs';
export * from './plugin';
