import { InitialSchema1764064800000 } from './1764064800000-InitialSchema';

/** Every migration, in order. Listed explicitly so compiled and test runs load the same set. */
export const migrations = [InitialSchema1764064800000];
