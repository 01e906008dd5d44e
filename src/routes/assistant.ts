// The Scheduling assistant (opened from the Add sessions / Edit session form).
import { Router } from 'express';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';

export function assistantRoutes(_db: Db, _clock: Clock): Router {
  return Router();
}
