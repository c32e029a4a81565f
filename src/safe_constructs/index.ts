export * from './dms-account-roles';
export * from './encryption-aspect';
export * from './external-secret-rds-instance';
export * from './rotating-secret';
export * from './secret-preflight-check';
export * from './secure-dms-postgres-endpoint';
export * from './weighted-alias-record';
export * from './weighted-traffic-shift';
