import {
  ApiPush,
  type ApiMethod,
  type ApiParams,
  type ApiResult,
  type VigilApi,
  type VigilPreload,
} from '../../../shared/protocol';
import { settleReply } from '../../../shared/api/client';

/**
 * VigilApi over the Electron preload. The preload hands back reply envelopes (an Error thrown
 * across contextBridge would keep only its message); this side settles each one against the
 * method table, so a failure rejects with its `ErrorCode` intact and a result is checked exactly
 * as the headless bridge checks it. Pushes are validated too.
 */
export class IpcClient implements VigilApi {
  constructor(private readonly preload: VigilPreload) {}

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    return settleReply(method, await this.preload.invoke(method, params));
  }

  onPush(listener: (push: ApiPush) => void): () => void {
    return this.preload.onPush((raw) => {
      const push = ApiPush.safeParse(raw);
      if (push.success) listener(push.data);
      else console.warn('[vigil] ipc: ignoring an invalid push', push.error.issues[0]);
    });
  }
}
