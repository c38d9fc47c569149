import { createContext, useContext } from 'react';
import type { VigilApi } from '../../../shared/protocol';

/** The Api, provided once at the root so components never reach for a global. */
export const ApiContext = createContext<VigilApi | null>(null);

export function useApi(): VigilApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside <ApiContext.Provider>');
  return api;
}
