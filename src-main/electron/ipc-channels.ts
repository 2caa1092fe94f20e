/** IPC channel names shared by main and preload. */
export const IPC_CALL = 'earmark:call';
export const IPC_EVENT = 'earmark:event';
