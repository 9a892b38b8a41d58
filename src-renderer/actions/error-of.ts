import { ServiceError } from '../../src-shared/ipc/service-error';

/** Any failure of a bridge call as a code and a sentence for the user. */
export function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof ServiceError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
