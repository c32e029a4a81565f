export * from './dms-account-roles';
export * from './rotating-secret';
export * from './secret-preflight-check';
export * from './secure-dms-postgres-endpoint';
