import type { KindDefinition, Role } from '../actors/kind.js';
import { findKind, kindNames } from '../kinds/registry.js';

/** Where the loader looks kinds up: the real registry, or a small one in tests. */
export interface KindRegistry {
  findKind(role: Role, name: string): KindDefinition | undefined;
  kindNames(role: Role): string[];
}

/** The kinds registered in `src/kinds/registry.ts`. */
export const defaultRegistry: KindRegistry = { findKind, kindNames };
