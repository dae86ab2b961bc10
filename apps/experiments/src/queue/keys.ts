/** BullMQ queue name and key prefix: every Redis key of rl3's queue mode starts with `rl3:`. */
export const QUEUE_NAME = "runs";
export const KEY_PREFIX = "rl3";
