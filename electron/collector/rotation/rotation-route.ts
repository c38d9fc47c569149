import { DEFAULT_ROTATION_WEEKS, MAX_ROTATION_WEEKS, type RotationView } from '../../../shared/protocol/rotation.js';
import { HttpError } from '../http/http-error.js';
import type { RotationService } from './rotation-service.js';

/** `GET /v1/rotation?weeks=N`: the effective rotation and the next N weeks of shifts. */
export function handleRotation(rotation: RotationService, params: URLSearchParams): RotationView {
  const raw = params.get('weeks');
  let weeks = DEFAULT_ROTATION_WEEKS;
  if (raw !== null) {
    weeks = Number(raw);
    if (!/^\d+$/.test(raw) || weeks < 1 || weeks > MAX_ROTATION_WEEKS) {
      throw new HttpError(
        400,
        'invalid_field',
        `weeks must be a whole number from 1 to ${MAX_ROTATION_WEEKS}`,
        'weeks',
      );
    }
  }
  return rotation.view(weeks);
}
