/**
 * IPC channel names shared by the preload and main. Kept in a module with no imports: the
 * sandboxed preload can `require` only `electron`, so anything it imports at runtime must be
 * bundled into it, and this file pulls in nothing (zod stays out of the preload).
 */
export const IPC_CALL = 'vigil:call';
export const IPC_PUSH = 'vigil:push';
