import { OptionError } from '../core/errors.js';

// The names a module may give its children (a named Sequential's layers, a ModuleDict's keys):
// torch's rule, and what JavaScript objects and our own fields need.

/** Every module's own fields (Module's), which a child of that name would overwrite. */
const MODULE_FIELDS = ['training', 'outputs', 'stateBuffers', 'disposed', 'fused'];

/**
 * `name` as a child of `owner` (an instance, its class's prototype and `fields` checked for
 * clashes): non-empty without '.' (torch: the dots join names in a state_dict), not a number
 * (JavaScript lists an object's numeric keys first, whatever order they were given in).
 */
export function checkChildName(where: string, name: string, prototype: object, fields: readonly string[] = []): void {
  if (name === '' || name.includes('.')) {
    throw new OptionError(`${where}: the name ${JSON.stringify(name)} must be non-empty and without '.' (as torch: dots join the names in a state_dict)`);
  }
  if (/^(0|[1-9][0-9]*)$/.test(name)) {
    throw new OptionError(`${where}: the name ${name} is a number; numbered modules are a list's (JavaScript lists an object's numeric keys first, whatever the order written): use an array or a ModuleList, or names that are not numbers`);
  }
  if (MODULE_FIELDS.includes(name) || fields.includes(name) || name in prototype) {
    throw new OptionError(`${where}: the name ${name} is one the module uses itself; choose another`);
  }
}

/** A plain object (an object literal, or one without a prototype): what holds modules by name. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
